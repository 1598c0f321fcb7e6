//! `hashing.modulo_vs_ring`: scaling a cache cluster from n to n + 1 servers. What fraction of keys
//! move under `hash mod n` placement, and under consistent hashing?
//!
//! **Asked** (`scheme`): `modulo`: the fraction that moves, n/(n + 1); `ring`: the expected fraction
//! under consistent hashing with many virtual nodes, 1/(n + 1).
//!
//! **Parameters.** `servers` n: easy 2–5, medium 4–12, hard 8–40.
//!
//! **Key.** The exact fractions: with modulo, a key stays only when h mod n = h mod (n + 1), which
//! happens for n of every n(n + 1) consecutive hash values, probability 1/(n + 1); with a ring, the
//! new server takes an expected 1/(n + 1) share of the circle.
//!
//! **Second route.** Hash 20,000 real keys with xxh3 both ways: `h mod n` vs `h mod (n+1)`, and a
//! real ring (64 virtual nodes per server, xxh3 positions) before and after adding a server; count
//! the keys whose server changed. Modulo must agree within `K_SIGMA` standard errors; the ring's
//! fraction varies with the virtual-node layout, so it is accepted within ±40% of 1/(n + 1), and
//! every moved key must have moved *to the new server*.
//!
//! **Pitfalls**: 1/(n + 1) for modulo (the ring's answer); 1/n.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec,
    Question, Topic,
};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// The family.
pub struct ModuloVsRing;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "scheme",
        help: "modulo: hash mod n placement; ring: consistent hashing with many virtual nodes",
        kind: ParamKind::Choice { options: &["modulo", "ring"], draw: [&["modulo", "ring"], &["modulo", "ring"], &["modulo", "ring"]] },
    },
    ParamSpec {
        key: "servers",
        help: "servers n before the new one is added",
        kind: ParamKind::Int { min: 1, max: 200, draw: [(2, 5), (4, 12), (8, 40)] },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    scheme: String,
    n: u64,
}

const KEYS: u64 = 20_000;
const VNODES: u64 = 64;

fn key_hash(i: u64) -> u64 {
    xxh3_64(format!("session:{i}").as_bytes())
}

/// A ring of `servers` servers × VNODES points: (position, server), sorted.
fn ring(servers: u64) -> Vec<(u64, u64)> {
    let mut r: Vec<(u64, u64)> = (0..servers)
        .flat_map(|s| (0..VNODES).map(move |v| (xxh3_64(format!("server-{s}#{v}").as_bytes()), s)))
        .collect();
    r.sort_unstable();
    r
}

fn on_ring(r: &[(u64, u64)], h: u64) -> u64 {
    let i = r.partition_point(|p| p.0 < h);
    r[if i == r.len() { 0 } else { i }].1
}

/// Real keys: (moved fraction estimate, all moved keys went to the new server).
fn measure(s: &Scenario) -> (mc::Estimate, bool) {
    let n = s.n;
    let (before, after) = (ring(n), ring(n + 1));
    let mut moved = 0u64;
    let mut only_to_new = true;
    for i in 0..KEYS {
        let h = key_hash(i);
        let (a, b) = if s.scheme == "modulo" { (h % n, h % (n + 1)) } else { (on_ring(&before, h), on_ring(&after, h)) };
        if a != b {
            moved += 1;
            if s.scheme == "ring" && b != n {
                only_to_new = false;
            }
        }
    }
    (mc::Estimate::from_hits(moved, KEYS), only_to_new)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}

impl Family for ModuloVsRing {
    fn id(&self) -> &'static str {
        "hashing.modulo_vs_ring"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Hashing
    }
    fn title(&self) -> &'static str {
        "Adding a server: modulo placement vs consistent hashing"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [2, 3, 4], &["rehash-on-resize"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks: "fraction of keys moving from n to n+1 servers, modulo vs ring",
            key: "exact fractions",
            second_route: "20,000 real keys hashed both ways on a real ring",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let scheme = cx.pick("scheme");
        let n = cx.int("servers") as u64;
        if n == 1 {
            // Only a pin gives 1: refused, as every draw would show no contrast.
            return Err(GenError::Params {
                message: "going from 1 server to 2 moves half of the keys under modulo and under a ring alike: the question would show no difference".into(),
                hint: "pin 2 servers or more".into(),
            });
        }
        let s = Scenario { scheme: scheme.into(), n };
        let (v, how, solution) = if scheme == "modulo" {
            let v = n as f64 / (n as f64 + 1.0);
            (
                v,
                format!("each key `k` lives on server `xxh3_64(k) mod {n}`; afterwards on `xxh3_64(k) mod {}`", n + 1),
                Content::new()
                    .p(format!(
                        "A key stays put only if $h mod {n} = h mod {}$. Both residues repeat every ${n} dot {} = {}$ hash values, and within one period they agree exactly for $h = 0, ..., {}$ (by the Chinese remainder theorem each pair of residues occurs once), so $1/{}$ of uniformly hashed keys stay.",
                        n + 1, n + 1, n * (n + 1), n - 1, n + 1
                    ))
                    .p(format!("So $1/{}$ of keys stay and **{}** (that is ${n}/{}$) move: almost everything, which is why modulo placement makes resizing a cache a thundering herd.", n + 1, fmt_sig(v, 3), n + 1)),
            )
        } else {
            let v = 1.0 / (n as f64 + 1.0);
            (
                v,
                "servers sit at many (virtual-node) points on a consistent-hashing ring, and a key goes to the next point clockwise from `xxh3_64(k)`; the new server adds its own points".to_string(),
                Content::new()
                    .p(format!(
                        "Only keys that now fall just before one of the new server's points move, and they all move to the new server. With many virtual nodes each of the {} servers ends up with an equal share, so the new one takes $1/{}$ of the keys.",
                        n + 1, n + 1
                    ))
                    .p(format!("Expected fraction moved: **{}**, against ${n}/{}$ = {} with modulo placement.", fmt_sig(v, 3), n + 1, fmt_sig(n as f64 / (n as f64 + 1.0), 3))),
            )
        };
        let (est, to_new) = measure(&s);
        let (modulo, ring) = (n as f64 / (n as f64 + 1.0), 1.0 / (n as f64 + 1.0));
        // Doubling under modulo: a key stays when h mod n = h mod 2n, min(n, 2n)/lcm(n, 2n) = ½.
        let stay_doubling = n as f64 / lcm(n, 2 * n) as f64;
        let prompt = Content::new()
            .p(format!("A cache cluster grows from **{n}** to **{}** servers. Before the change {how}.", n + 1))
            .p("Treating the hash as uniformly random, what fraction of keys change server?");
        let evidence = Content::new().p(format!(
            "{KEYS} real keys `session:<i>` hashed with xxh3_64 both ways{}: moved fraction {}{}.",
            if scheme == "ring" { format!(" (a real ring with {VNODES} virtual nodes per server)") } else { String::new() },
            est.describe(4),
            if scheme == "ring" { if to_new { "; every moved key went to the new server" } else { "; some moved keys went elsewhere" } } else { "" }
        ));
        let slot = AnswerSlot::new("fraction of keys that move", Expected::sig(v, 3)).exact_by_hand();
        let q = Question::new(prompt, vec![slot], solution, evidence)
            .with_scenario(&s)
            .contrast(Contrast::new("modulo vs ring fraction moved", fmt_sig(modulo, 3), fmt_sig(ring, 3)));
        Ok(if scheme == "modulo" {
            q.followup(
                FollowUp::new(
                    format!("What if the cluster doubles instead, from {n} to {} servers?", 2 * n),
                    format!(
                        "Then a key stays when $h mod {n} = h mod {}$, for {} of keys, so {} move: doubling is the gentlest modulo resize, and still moves half the keys.",
                        2 * n,
                        fmt_sig(stay_doubling, 3),
                        fmt_sig(1.0 - stay_doubling, 3)
                    ),
                )
                .point("Redis Cluster and Dynamo avoid this with fixed hash slots or a ring"),
            )
            .followup(
                FollowUp::new(
                    "And with consistent hashing?",
                    format!("$1/{}$ = {} of keys, all to the new server.", n + 1, fmt_sig(ring, 3)),
                )
                .point("the minimum any scheme can move while keeping the servers balanced"),
            )
        } else {
            q.followup(
                FollowUp::new(
                    "Why many virtual nodes per server? What goes wrong with one point each?",
                    format!(
                        "With one point each, a server's share is the arc before its point, and arcs vary widely: the new server takes anywhere from almost nothing to a large slice, not {} of the keys on average.",
                        fmt_sig(ring, 3)
                    ),
                )
                .point("with v points per server the share's spread shrinks roughly as $1/sqrt(v)$"),
            )
            .followup(
                FollowUp::new(
                    "And with modulo placement?",
                    format!("${n}/{}$ = {} of keys move, most of them between old servers.", n + 1, fmt_sig(modulo, 3)),
                )
                .point("a cold cache after a resize: nearly every lookup misses and hits the database"),
            )
        })
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        let (est, to_new) = measure(&s);
        if s.scheme == "modulo" {
            if !est.agrees_with(*value) {
                return Err(CheckError(format!("key {value}, real keys {}", est.describe(4))));
            }
        } else {
            if !to_new {
                return Err(CheckError("a key moved between two old servers".into()));
            }
            if (est.mean - value).abs() > 0.4 * value {
                return Err(CheckError(format!("key {value}, real ring {}", est.describe(4))));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&ModuloVsRing, 0..30).unwrap();
    }

    #[test]
    fn modulo_by_counting_residues() {
        // Exhaustively over one period of n(n + 1) hash values, count the keys that stay.
        for n in 2u64..12 {
            let period = n * (n + 1);
            let stay = (0..period).filter(|h| h % n == h % (n + 1)).count() as u64;
            assert_eq!(stay * (n + 1), period, "n = {n}: 1/(n+1) of keys stay");
        }
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&ModuloVsRing, &["scheme=modulo".into(), "servers=4".into()]).unwrap();
        let q = generate(&ModuloVsRing, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.800");
    }

    #[test]
    fn the_cross_check_catches_swapped_answers() {
        let pins = parse_pins(&ModuloVsRing, &["scheme=modulo".into(), "servers=9".into()]).unwrap();
        let mut q = generate(&ModuloVsRing, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&ModuloVsRing, &q).unwrap();
        q.slots[0].expected = Expected::sig(0.1, 3);
        assert!(crate::family::cross_check(&ModuloVsRing, &q).is_err());
        let pins = parse_pins(&ModuloVsRing, &["scheme=ring".into(), "servers=9".into()]).unwrap();
        let mut q = generate(&ModuloVsRing, 1, Difficulty::Medium, &pins).unwrap();
        crate::family::cross_check(&ModuloVsRing, &q).unwrap();
        q.slots[0].expected = Expected::sig(0.9, 3);
        assert!(crate::family::cross_check(&ModuloVsRing, &q).is_err());
    }

}
