//! `probability.reservoir`: reservoir sampling (Algorithm R) keeps a uniform sample of k log lines
//! from a stream of n whose length is not known in advance.
//!
//! **Asked** (`ask`):
//! - `item`: P(the line at position i ends up in the sample) = k/n, whatever i is;
//! - `pair`: P(two given lines both end up in it) = k(k − 1)/(n(n − 1));
//! - `replaced`: P(the line at position i > k is stored when it arrives and later evicted) =
//!   k/i − k/n (stored with probability k/i, then survives to the end with probability i/n).
//!
//! **Parameters.** `reservoir` k: easy 1–5, medium 3–20, hard 5–50; `stream` n: easy 10–40, medium
//! 30–200, hard 100–1000 (n > k); the position i is drawn in k+1..n.
//!
//! **Key.** The closed forms, which follow from the invariant that after t lines every line seen so
//! far is in the reservoir with probability k/t.
//!
//! **By hand.** Each closed form is exact with a calculator once the invariant is seen.
//!
//! **Second route.** Runs Algorithm R for real, many times, on the stream 1..n, and counts. That run is the one the
//! evidence shows: it runs once, in `generate`, from its own RNG stream, its estimate travels in
//! the scenario, and `cross_check` tests it against the key.
//!
//! **Pitfalls**: thinking early lines are favoured (they are stored with probability 1 but face
//! more evictions) or late ones (stored with k/i but face fewer); 1/n for the item probability.

use crate::answer::{fmt_sig, AnswerSlot, Expected};
use crate::content::Content;
use crate::family::support::mc;
use crate::family::{
    About, Ask, CheckError, Contrast, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// The family.
pub struct Reservoir;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "ask",
        help: "item: P(line i is sampled); pair: P(two lines both sampled); replaced: P(stored, then evicted)",
        kind: ParamKind::Choice {
            options: &["item", "pair", "replaced"],
            draw: [&["item", "pair"], &["item", "pair", "replaced"], &["item", "pair", "replaced"]],
        },
    },
    ParamSpec {
        key: "reservoir",
        help: "reservoir size k",
        kind: ParamKind::Int {
            min: 1,
            max: 500,
            draw: [(1, 5), (3, 20), (5, 50)],
        },
    },
    ParamSpec {
        key: "stream",
        help: "stream length n (more than k)",
        kind: ParamKind::Int {
            min: 2,
            max: 5000,
            draw: [(10, 40), (30, 200), (100, 1000)],
        },
    },
];

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    ask: String,
    k: u64,
    n: u64,
    i: u64,
    j: u64,
}

/// The scenario as the question stores it: the draw, and the estimate of the simulation the
/// evidence shows, which the cross-check tests against the key.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    s: Scenario,
    mc: mc::Estimate,
}

/// The closed form for the ask.
fn exact(s: &Scenario) -> f64 {
    let (k, n, i) = (s.k as f64, s.n as f64, s.i as f64);
    match s.ask.as_str() {
        "item" => k / n,
        "pair" => k * (k - 1.0) / (n * (n - 1.0)),
        _ => k / i - k / n,
    }
}

/// Runs Algorithm R once over lines 1..=n; returns (i in sample, j in sample, i stored on arrival).
fn algorithm_r(s: &Scenario, g: &mut rand_chacha::ChaCha8Rng, res: &mut Vec<u64>) -> (bool, bool, bool) {
    res.clear();
    let mut stored_i = false;
    for t in 1..=s.n {
        if t <= s.k {
            res.push(t);
            if t == s.i {
                stored_i = true;
            }
        } else {
            let r = g.random_range(0..t);
            if r < s.k {
                res[r as usize] = t;
                if t == s.i {
                    stored_i = true;
                }
            }
        }
    }
    (res.contains(&s.i), res.contains(&s.j), stored_i)
}

fn simulate(s: &Scenario, rng: &mut rand_chacha::ChaCha8Rng) -> mc::Estimate {
    // About 2·10⁶ draws, at least 400 runs (5,000 lines cost 2·10⁶, not 1.5·10⁷).
    let trials = (2_000_000 / s.n.max(1)).clamp(400, 40_000);
    let mut res = Vec::with_capacity(s.k as usize);
    mc::probability(trials, rng, |g| {
        let (in_i, in_j, stored) = algorithm_r(s, g, &mut res);
        match s.ask.as_str() {
            "item" => in_i,
            "pair" => in_i && in_j,
            _ => stored && !in_i,
        }
    })
}

impl Family for Reservoir {
    fn id(&self) -> &'static str {
        "probability.reservoir"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Probability
    }
    fn title(&self) -> &'static str {
        "Reservoir sampling: who ends up in the sample?"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[
            Ask::new("item", [3, 4, 5], &["reservoir-sampling"]),
            Ask::new("pair", [4, 5, 6], &["reservoir-sampling", "uniform-subsets"]),
            Ask::new("replaced", [4, 5, 6], &["reservoir-sampling"]),
        ];
        ASKS
    }

    fn about(&self) -> About {
        About {
            asks: "P(a line is sampled), P(a pair is), P(stored then evicted) under Algorithm R",
            key: "closed forms from the k/t invariant",
            second_route: "Algorithm R run for real",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let ask = cx.pick("ask");
        let k = cx.int("reservoir") as u64;
        // A pair needs room for two lines; a drawn (not pinned) reservoir of 1 becomes 2.
        let k = if ask == "pair" && !cx.is_pinned("reservoir") && k < 2 {
            cx.adjusted("reservoir", crate::family::ParamValue::Int(2));
            2
        } else {
            k
        };
        let n = cx.int("stream") as u64;
        if n <= k || (ask == "pair" && k < 2) {
            return Err(GenError::Params {
                message: format!("stream = {n} must exceed reservoir = {k} (and pair needs k ≥ 2)"),
                hint: "set stream larger than reservoir".into(),
            });
        }
        let i = cx.rng().random_range(k + 1..=n);
        let mut j = cx.rng().random_range(1..=n);
        if j == i {
            j = if i > 1 { i - 1 } else { i + 1 };
        }
        let s = Scenario { ask: ask.into(), k, n, i, j };
        let v = exact(&s);
        let est = simulate(&s, &mut cx.sim_rng("mc"));
        let code = format!(
            "reservoir = first {k} lines\nfor (t = {}; t <= {n}; t++)     # line t arrives\n    r = random integer in 0 .. t-1\n    if r < {k}: reservoir[r] = line t",
            k + 1
        );
        let mut prompt = Content::new()
            .p(format!(
                "A log shipper keeps a uniform random sample of **{k}** lines from a stream of \
                 **{n}** lines (lines numbered 1 to {n}) with Algorithm R:"
            ))
            .code("pseudo", code);
        let (ask_text, solution) = match ask {
            "item" => (
                format!("What is the probability that line **{i}** is in the final sample?"),
                Content::new()
                    .p(format!(
                        "Invariant: after t lines, each line seen is in the reservoir with probability {k}/t. Line {i} is stored with probability {k}/{i}; each later line t evicts it with probability $(k/t)(1/k) = 1/t$, so it survives with $product_(t={})^({n}) (t - 1)/t = {i}/{n}$.",
                        i + 1
                    ))
                    .p(format!("P = $({k}/{i}) dot ({i}/{n}) = {k}/{n}$ = **{}**, the same for every line.", fmt_sig(v, 3))),
            ),
            "pair" => (
                format!("What is the probability that lines **{i}** and **{j}** are both in the final sample?"),
                Content::new()
                    .p("Algorithm R leaves every k-subset of the n lines equally likely, so two given lines are both in the sample with probability $C(n-2, k-2) / C(n, k)$.")
                    .p(format!("$= k(k - 1) / (n(n - 1)) = ({k} times {}) / ({n} times {})$ = **{}**.", k - 1, n - 1, fmt_sig(v, 3)))
                    .p(format!("Squaring k/n gives {}: the two events are slightly negatively correlated.", fmt_sig((k as f64 / n as f64).powi(2), 3))),
            ),
            _ => (
                format!(
                    "What is the probability that line **{i}** is stored in the reservoir when it arrives but is evicted before the stream ends?"
                ),
                Content::new()
                    .p(format!("Line {i} is stored with probability {k}/{i}, and then survives to the end with probability {i}/{n} (each later line t evicts it with probability 1/t)."))
                    .p(format!("P(stored, then evicted) = $({k}/{i}) (1 - {i}/{n}) = {k}/{i} - {k}/{n}$ = **{}**.", fmt_sig(v, 3))),
            ),
        };
        prompt = prompt.p(ask_text);
        let evidence = Content::new().p(format!(
            "Algorithm R run {} times on the stream 1..{n}: the event happened in {}.",
            est.n,
            est.describe(4)
        ));
        let label = match ask {
            "item" => format!("P(line {i} is in the final sample)"),
            "pair" => format!("P(lines {i} and {j} are both in the sample)"),
            _ => format!("P(line {i} is stored, then evicted)"),
        };
        let kf = k as f64;
        let nf = n as f64;
        let q = Question::new(prompt, vec![AnswerSlot::new(label, Expected::sig(v, 3)).exact_by_hand()], solution, evidence);
        let q = match ask {
            "item" => q
                .contrast(Contrast::new("final vs on arrival", fmt_sig(v, 3), fmt_sig(kf / i as f64, 3)))
                .followup(
                    FollowUp::new(
                        format!("The stream turns out to be {} lines long instead. What changes?", 2 * n),
                        format!(
                            "Every line's chance halves to {}: the sample stays uniform whatever the length, without knowing it in advance.",
                            fmt_sig(kf / (2.0 * nf), 3)
                        ),
                    )
                    .point("Algorithm R needs one pass and $O(k)$ memory; a weighted sample needs another algorithm (A-Res with keys $u^(1 slash w)$)"),
                ),
            "pair" => q
                .contrast(Contrast::new("pair vs independent", fmt_sig(v, 3), fmt_sig((kf / nf).powi(2), 3)))
                .followup(FollowUp::new(
                    "Are the two lines' memberships independent?",
                    format!(
                        "No: slightly negatively correlated, since the sample has a fixed size. The product $(k/n)^2$ would give {} against {}.",
                        fmt_sig((kf / nf).powi(2), 3),
                        fmt_sig(v, 3)
                    ),
                )),
            _ => q
                .contrast(Contrast::new("stored vs stored then evicted", fmt_sig(kf / i as f64, 3), fmt_sig(v, 3)))
                .followup(FollowUp::new(
                    "Which line is most likely to be stored and later evicted?",
                    format!(
                        "Line {}, the first that can be evicted on arrival: {}/{} − {k}/{n} = {}. The chance falls as i grows.",
                        k + 1,
                        k,
                        k + 1,
                        fmt_sig(kf / (kf + 1.0) - kf / nf, 3)
                    ),
                )),
        };
        Ok(q.with_scenario(&Stored { s, mc: est }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let Stored { mc: est, .. } = q.scenario()?;
        let Expected::Real { value, .. } = q.expected(0)? else {
            return Err(CheckError("expected a real answer".into()));
        };
        if est.agrees_with(*value) {
            Ok(())
        } else {
            Err(CheckError(format!("key {value}, Algorithm R {}", est.describe(4))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&Reservoir, 0..30).unwrap();
    }

    #[test]
    fn by_hand() {
        // k = 1, n = 2: line 2 replaces line 1 with probability 1/2.
        let s = Scenario { ask: "item".into(), k: 1, n: 2, i: 2, j: 1 };
        assert_eq!(exact(&s), 0.5);
        // k = 2, n = 4: the pair {1, 3} is one of C(4,2) = 6 equally likely samples.
        let s = Scenario { ask: "pair".into(), k: 2, n: 4, i: 3, j: 1 };
        assert!((exact(&s) - 1.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn pins_are_used() {
        let pins = parse_pins(&Reservoir, &["ask=item".into(), "reservoir=5".into(), "stream=20".into()]).unwrap();
        let q = generate(&Reservoir, 1, Difficulty::Easy, &pins).unwrap();
        assert_eq!(q.slots[0].expected.reference(), "0.250");
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        let pins = parse_pins(&Reservoir, &["ask=item".into(), "reservoir=5".into(), "stream=20".into()]).unwrap();
        let mut q = generate(&Reservoir, 1, Difficulty::Easy, &pins).unwrap();
        crate::family::cross_check(&Reservoir, &q).unwrap();
        let s: Scenario = q.scenario().unwrap();
        // "Late lines are favoured": k/i.
        q.slots[0].expected = Expected::sig(5.0 / s.i as f64, 3);
        if s.i < 19 {
            assert!(crate::family::cross_check(&Reservoir, &q).is_err());
        }
        q.slots[0].expected = Expected::sig(1.0 / 20.0, 3);
        assert!(crate::family::cross_check(&Reservoir, &q).is_err());
    }

    #[test]
    fn the_follow_up_names_the_likeliest_evicted_line() {
        // k = 5, n = 100: line 6 is stored with 5/6 and survives with 6/100, so it is stored
        // then evicted with 5/6 − 5/100 = 0.7833 (hand arithmetic).
        let pins = parse_pins(&Reservoir, &["ask=replaced".into(), "reservoir=5".into(), "stream=100".into()]).unwrap();
        let q = generate(&Reservoir, 1, Difficulty::Medium, &pins).unwrap();
        assert!(q.followups[0].answer.contains("Line 6") && q.followups[0].answer.contains("0.783"), "{}", q.followups[0].answer);
        crate::family::cross_check(&Reservoir, &q).unwrap();
    }
}
