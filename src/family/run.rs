//! The drivers: parse a family's `--set` pins, then generate one question with a fresh [`Ctx`],
//! fill in the metadata the family does not know, and run its second route. Question codes are
//! not stamped here: that is the pack layer's job (`crate::pack::question`).

use super::contract::Family;
use super::ctx::Ctx;
use super::errors::{CheckError, GenError};
use super::params::{ParamValue, Pins};
use super::quality;
use super::question::Question;
use super::topic::Difficulty;
use crate::error::Error;
use crate::text::closest;

/// Runs `family` for one question: builds the context, generates, and fills in the metadata (all
/// but the question code, which the pack layer stamps).
pub fn generate(
    family: &dyn Family,
    seed: u64,
    difficulty: Difficulty,
    pins: &Pins,
) -> Result<Question, GenError> {
    generate_sealed(family, seed, difficulty, pins, None)
}

/// The seed a question's RNG streams are derived from: the public seed, or under a seal the keyed
/// derivation of it.
fn content_seed(family: &dyn Family, seed: u64, seal: Option<&crate::seal::Seal>) -> u64 {
    seal.map_or(seed, |s| s.question_seed(family.id(), seed))
}

/// [`generate`], with the content keyed by `seal` when there is one (a sealed pack).
pub fn generate_sealed(
    family: &dyn Family,
    seed: u64,
    difficulty: Difficulty,
    pins: &Pins,
    seal: Option<&crate::seal::Seal>,
) -> Result<Question, GenError> {
    generate_counted(family, seed, difficulty, pins, seal).map(|(q, _)| q)
}

/// How many draws the runner tries before a question's flaws are an error.
pub const MAX_DRAWS: u32 = 64;

/// [`generate_sealed`], also returning how many draws it took to meet the quality rules
/// (`super::quality`): 1 when the first draw was fair. The draws continue one content stream, so
/// the result is as deterministic as a single draw.
pub fn generate_counted(
    family: &dyn Family,
    seed: u64,
    difficulty: Difficulty,
    pins: &Pins,
    seal: Option<&crate::seal::Seal>,
) -> Result<(Question, u32), GenError> {
    let mut cx = Ctx::new(
        family.id(),
        family.params(),
        content_seed(family, seed, seal),
        difficulty,
        pins.clone(),
    );
    let mut last = Vec::new();
    for draw in 1..=MAX_DRAWS {
        cx.restart();
        let mut q = family.generate(&mut cx)?;
        q.family = family.id().to_string();
        q.version = family.version();
        q.topic = family.topic();
        q.title = family.title().to_string();
        q.difficulty = difficulty;
        q.seed = seed;
        q.params = cx.resolved().clone();
        q.pins = pins.clone();
        q.sealed = seal.is_some();
        if q.slots.len() > 1 {
            for (i, s) in q.slots.iter_mut().enumerate() {
                s.label = ((b'a' + i as u8) as char).to_string();
            }
        }
        let ask = match q.params.get("ask") {
            Some(ParamValue::Choice(a)) => a.as_str(),
            _ => "",
        };
        if let Some(a) = family.asks().iter().find(|a| a.id == ask) {
            q.minutes = a.minutes_at(difficulty);
            q.tags = a.tags.iter().map(|t| t.to_string()).collect();
            q.needs_computer = a.needs_computer_at(difficulty);
        }
        let flaws = quality::flaws(family, &q);
        if flaws.is_empty() {
            unused_pins(family, &q, pins)?;
            return Ok((q, draw));
        }
        last = flaws;
    }
    let first = last.first().map(|f| f.to_string()).unwrap_or_default();
    if pins.is_empty() {
        Err(GenError::Run(format!(
            "no draw of {MAX_DRAWS} met the quality rules (last: {first})"
        )))
    } else {
        Err(GenError::Params {
            message: format!("these pins leave no fair question: {first}"),
            hint: "pin fewer parameters, or other values; `groundwork families --long` lists the ranges"
                .into(),
        })
    }
}

/// A pin the drawn variant does not use is an error, never silently ignored: `--set needed=2`
/// on a question that asks for a majority quorum would otherwise be echoed in its code and
/// change nothing.
fn unused_pins(family: &dyn Family, q: &Question, pins: &Pins) -> Result<(), GenError> {
    let unused: Vec<&str> = pins
        .keys()
        .filter(|k| !q.params.contains_key(k.as_str()))
        .map(String::as_str)
        .collect();
    let Some(first) = unused.first() else {
        return Ok(());
    };
    let keys = unused
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let verb = if unused.len() == 1 { "is" } else { "are" };
    let variant = match q.params.get("ask") {
        Some(v) => format!("ask={v}"),
        None => "this draw".to_string(),
    };
    let hint = if q.params.contains_key("ask") && !pins.contains_key("ask") {
        format!(
            "pin `ask` too, to an ask that uses `{first}`; `groundwork families {} --long` lists what each ask uses",
            family.id()
        )
    } else {
        format!(
            "drop the pin, or pin the parameters that make `{first}` matter; `groundwork families {} --long` lists them",
            family.id()
        )
    };
    Err(GenError::Params {
        message: format!("{keys} {verb} not used by {variant} of `{}`", family.id()),
        hint,
    })
}

/// Runs the family's cross-check on a question it generated (with a fresh context on the same seed).
pub fn cross_check(family: &dyn Family, q: &Question) -> Result<(), CheckError> {
    cross_check_sealed(family, q, None)
}

/// [`cross_check`] for a question generated under `seal`.
pub fn cross_check_sealed(
    family: &dyn Family,
    q: &Question,
    seal: Option<&crate::seal::Seal>,
) -> Result<(), CheckError> {
    let seed = content_seed(family, q.seed, seal);
    let mut cx = Ctx::new(
        family.id(),
        family.params(),
        seed,
        q.difficulty,
        q.pins.clone(),
    );
    family.cross_check(q, &mut cx)
}

/// Parses `key=value` pins for a family, checking keys and ranges.
pub fn parse_pins(family: &dyn Family, sets: &[String]) -> Result<Pins, Error> {
    let mut pins = Pins::new();
    for raw in sets {
        let Some((key, value)) = raw.split_once('=') else {
            return Err(Error::BadSet {
                set: raw.clone(),
                message: "expected key=value".into(),
                hint: format!(
                    "write it as `--set {}=…`",
                    family.params().first().map(|p| p.key).unwrap_or("key")
                ),
            });
        };
        let key = key.trim();
        let spec = family
            .params()
            .iter()
            .find(|p| p.key == key)
            .ok_or_else(|| {
                let keys: Vec<&str> = family.params().iter().map(|p| p.key).collect();
                Error::BadSet {
                    set: raw.clone(),
                    message: format!("`{}` has no parameter `{key}`", family.id()),
                    hint: match closest(key, keys.iter().copied()) {
                        Some(s) => format!(
                            "did you mean `{s}`? Its parameters are: {}",
                            keys.join(", ")
                        ),
                        None => format!(
                            "its parameters are: {}",
                            if keys.is_empty() {
                                "none".into()
                            } else {
                                keys.join(", ")
                            }
                        ),
                    },
                }
            })?;
        if let Some(prev) = pins.get(key) {
            return Err(Error::BadSet {
                set: raw.clone(),
                message: format!("`{key}` is given twice ({key}={prev} and {})", raw.trim()),
                hint: format!("keep one --set {key}=…"),
            });
        }
        let v = spec.parse_value(value).map_err(|message| Error::BadSet {
            set: raw.clone(),
            message: format!("{key}: {message}"),
            hint: format!("`{key}` takes {} ({})", spec.range_text(), spec.help),
        })?;
        pins.insert(key.to_string(), v);
    }
    Ok(pins)
}

/// The asks of `family` a paper-only pack may use at difficulty `d`: the values of its `ask`
/// parameter drawn at `d` that do not need a computer (an ask without a declared profile counts
/// as paper-friendly), or `[""]` for a family without an `ask` parameter that can be done by
/// hand. Empty when nothing is left: the family has no place on a paper-only pack at `d`.
pub fn paper_asks(family: &dyn Family, d: Difficulty) -> Vec<&'static str> {
    use super::params::ParamKind;
    let needs = |id: &str| {
        family
            .asks()
            .iter()
            .any(|a| a.id == id && a.needs_computer_at(d))
    };
    match family
        .params()
        .iter()
        .find(|p| p.key == "ask")
        .map(|p| p.kind)
    {
        Some(ParamKind::Choice { draw, .. }) => draw[d.index()]
            .iter()
            .copied()
            .filter(|a| !needs(a))
            .collect(),
        _ if needs("") => Vec::new(),
        _ => vec![""],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::{AnswerSlot, Expected};
    use crate::content::Content;
    use crate::family::{Ask, CheckError, Contrast, ParamKind, ParamSpec, Topic};
    use rand::Rng;

    /// A family whose draws are mostly flawed: 1.00 (trivial), 1.375 to 3 significant figures (a
    /// tie), an equal contrast, or a fair 0.42.
    struct Flawed;

    static PARAMS: &[ParamSpec] = &[ParamSpec {
        key: "case",
        help: "which draw",
        kind: ParamKind::Int {
            min: 0,
            max: 3,
            draw: [(0, 3); 3],
        },
    }];

    impl Family for Flawed {
        fn id(&self) -> &'static str {
            "test.flawed"
        }
        fn version(&self) -> u32 {
            1
        }
        fn topic(&self) -> Topic {
            Topic::Probability
        }
        fn title(&self) -> &'static str {
            "flawed"
        }
        fn params(&self) -> &'static [ParamSpec] {
            PARAMS
        }
        fn asks(&self) -> &'static [Ask] {
            static ASKS: &[Ask] = &[Ask::new("", [2, 3, 4], &["test-skill"])];
            ASKS
        }
        fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
            let case = cx.int("case");
            let _noise: u32 = cx.rng().random_range(0..10);
            let (value, a, b) = match case {
                0 => (1.0, "x", "y"),
                1 => (1.375, "x", "y"),
                2 => (0.42, "same", "same"),
                _ => (0.42, "x", "y"),
            };
            let slot = AnswerSlot::new("p", Expected::sig(value, 3));
            Ok(
                Question::new(Content::new(), vec![slot], Content::new(), Content::new())
                    .contrast(Contrast::new("a vs b", a, b)),
            )
        }
        fn cross_check(&self, _q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
            Ok(())
        }
    }

    #[test]
    fn flawed_draws_are_redrawn_until_the_rules_hold() {
        let mut redrawn = 0;
        for seed in 0..40 {
            let (q, draws) =
                generate_counted(&Flawed, seed, Difficulty::Medium, &Pins::new(), None).unwrap();
            assert_eq!(q.params["case"], ParamValue::Int(3), "seed {seed}");
            assert!(quality::flaws(&Flawed, &q).is_empty());
            assert_eq!(q.minutes, 3, "the ask profile fills in the minutes");
            if draws > 1 {
                redrawn += 1;
            }
            // Deterministic: the same seed takes the same number of draws.
            let again = generate_counted(&Flawed, seed, Difficulty::Medium, &Pins::new(), None);
            assert_eq!(again.unwrap().1, draws);
        }
        assert!(
            redrawn > 20,
            "3 of 4 first draws are flawed; {redrawn} of 40 redrawn"
        );
    }

    #[test]
    fn pins_that_leave_no_fair_draw_are_a_parameter_error() {
        for (case, rule) in [(0, "trivial"), (1, "tie"), (2, "contrast")] {
            let pins = parse_pins(&Flawed, &[format!("case={case}")]).unwrap();
            let e = generate_sealed(&Flawed, 1, Difficulty::Easy, &pins, None).unwrap_err();
            assert!(e.to_string().contains(rule), "{e}");
            assert!(e.hint().is_some(), "a parameter error has a hint: {e}");
        }
    }

    #[test]
    fn a_pin_given_twice_is_an_error() {
        let e = parse_pins(&Flawed, &["case=1".into(), "case=2".into()]).unwrap_err();
        assert!(e.to_string().contains("given twice"), "{e}");
        assert!(e.hint().is_some_and(|h| h.contains("--set case")));
    }

    /// Every family, several seeds, every difficulty: pinning every recorded parameter (through
    /// `--set` parsing, so ranges are checked) regenerates the same question, and pinning a
    /// declared parameter the draw did not record is either an error that says it is not used, or
    /// steers the family to a variant that uses it and records it as pinned: never ignored.
    #[test]
    fn pins_of_recorded_params_reproduce_and_unrecorded_pins_are_errors() {
        use crate::family::{ParamKind, FAMILIES};
        let mut failures = Vec::new();
        let mut compared = 0;
        for f in FAMILIES.iter().copied() {
            for d in [Difficulty::Easy, Difficulty::Medium, Difficulty::Hard] {
                for seed in 0..3u64 {
                    let Ok((q, draws)) = generate_counted(f, seed, d, &Pins::new(), None) else {
                        continue;
                    };
                    let at = format!("{} {d} seed {seed}", f.id());
                    let sets: Vec<String> =
                        q.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    match parse_pins(f, &sets)
                        .map_err(|e| e.to_string())
                        .and_then(|p| {
                            generate_counted(f, seed, d, &p, None).map_err(|e| e.to_string())
                        }) {
                        Err(e) => failures.push(format!("{at}: pinning {sets:?} fails: {e}")),
                        Ok((again, _)) => {
                            if again.params != q.params {
                                failures.push(format!(
                                    "{at}: pinned {sets:?}, recorded {:?}",
                                    again.params
                                ));
                            }
                            // A redrawn question sits later on the content stream than a pinned
                            // first draw, so only first draws must match byte for byte.
                            if draws == 1 {
                                compared += 1;
                                let js = |q: &Question| {
                                    serde_json::to_string(&(&q.prompt, &q.slots, &q.solution))
                                        .unwrap()
                                };
                                if js(&again) != js(&q) {
                                    failures.push(format!(
                                        "{at}: pinning every recorded parameter changed the question"
                                    ));
                                }
                            }
                        }
                    }
                    for p in f.params() {
                        if q.params.contains_key(p.key) {
                            continue;
                        }
                        let value = match p.kind {
                            ParamKind::Int { draw, .. } => draw[d.index()].0.to_string(),
                            ParamKind::Real { draw, .. } => draw[d.index()].0.to_string(),
                            ParamKind::Choice { draw, .. } => draw[d.index()][0].to_string(),
                        };
                        let pins = parse_pins(f, &[format!("{}={value}", p.key)]).unwrap();
                        match generate_counted(f, seed, d, &pins, None) {
                            Err(e) if e.to_string().contains("not used") => {}
                            // A family may steer to the variant a pin asks about (retries with
                            // `attempts` pinned asks about that many attempts): then the pin is
                            // used, and recorded as given.
                            Ok((q2, _)) if q2.params.get(p.key) == pins.get(p.key) => {}
                            Err(e) => failures.push(format!(
                                "{at}: pin of unrecorded `{}` failed otherwise: {e}",
                                p.key
                            )),
                            Ok((q2, _)) => failures.push(format!(
                                "{at}: pin of unrecorded `{}` accepted but not recorded (recorded {:?})",
                                p.key, q2.params
                            )),
                        }
                    }
                }
            }
        }
        assert!(compared > 50, "only {compared} first draws compared");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
