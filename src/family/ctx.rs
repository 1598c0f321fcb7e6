//! The generation context a family draws everything through: declared parameters (honouring
//! `--set` pins and recording the value used), the content RNG, and separate simulation streams.

use super::params::{ParamKind, ParamSpec, ParamValue, Pins};
use super::topic::Difficulty;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The generation context: the question's RNG, its difficulty and its pinned parameters.
pub struct Ctx {
    rng: ChaCha8Rng,
    family_id: &'static str,
    seed: u64,
    difficulty: Difficulty,
    specs: &'static [ParamSpec],
    pins: Pins,
    resolved: Pins,
}

impl Ctx {
    /// A context for the family with id `family_id` and declared parameters `specs`, with
    /// question seed `seed`.
    pub fn new(
        family_id: &'static str,
        specs: &'static [ParamSpec],
        seed: u64,
        difficulty: Difficulty,
        pins: Pins,
    ) -> Ctx {
        Ctx {
            rng: crate::seed::content_rng(family_id, seed),
            family_id,
            seed,
            difficulty,
            specs,
            pins,
            resolved: Pins::new(),
        }
    }

    /// Starts a new draw on the same content stream: forgets the parameter values recorded so
    /// far (the runner redraws a question that breaks a quality rule).
    pub fn restart(&mut self) {
        self.resolved.clear();
    }

    /// The question's difficulty.
    pub fn difficulty(&self) -> Difficulty {
        self.difficulty
    }

    /// The content RNG, for draws that are not declared parameters (key names, operation orders).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }

    /// An RNG stream for simulations, independent of the content stream and of other labels.
    pub fn sim_rng(&self, label: &str) -> ChaCha8Rng {
        crate::seed::stream_rng(self.family_id, self.seed, label)
    }

    fn spec(&self, key: &str) -> &'static ParamSpec {
        self.specs.iter().find(|p| p.key == key).unwrap_or_else(|| {
            panic!(
                "family {} draws undeclared parameter `{key}`",
                self.family_id
            )
        })
    }

    /// Draws integer parameter `key` from the difficulty's range, or returns its pin.
    ///
    /// The draw always consumes the RNG, so pinning one parameter leaves the others unchanged.
    pub fn int(&mut self, key: &str) -> i64 {
        let spec = self.spec(key);
        let ParamKind::Int { draw, .. } = spec.kind else {
            panic!("parameter `{key}` is not an integer")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        let drawn = self.rng.random_range(lo..=hi);
        let v = match self.pins.get(key) {
            Some(ParamValue::Int(p)) => *p,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Int(v));
        v
    }

    /// Draws integer parameter `key` as a multiple of `step` in `lo..=hi`, a range that depends on
    /// earlier draws (clamped to the declared bounds), or returns its pin. The declared
    /// per-difficulty ranges then only describe typical values for `groundwork families`.
    pub fn int_within(&mut self, key: &str, lo: i64, hi: i64, step: i64) -> i64 {
        let spec = self.spec(key);
        let ParamKind::Int { min, max, .. } = spec.kind else {
            panic!("parameter `{key}` is not an integer")
        };
        let step = step.max(1);
        let lo = lo.clamp(min, max);
        let hi = hi.clamp(lo, max);
        let (a, b) = ((lo + step - 1) / step, hi / step);
        let drawn = if a <= b {
            self.rng.random_range(a..=b) * step
        } else {
            lo
        };
        let v = match self.pins.get(key) {
            Some(ParamValue::Int(p)) => *p,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Int(v));
        v
    }

    /// Draws real parameter `key` on its grid from the difficulty's range, or returns its pin.
    pub fn real(&mut self, key: &str) -> f64 {
        let spec = self.spec(key);
        let ParamKind::Real { step, draw, .. } = spec.kind else {
            panic!("parameter `{key}` is not a real")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        let steps = ((hi - lo) / step).round().max(0.0) as i64;
        let k = self.rng.random_range(0..=steps);
        let drawn = snap(lo + k as f64 * step, step);
        let v = match self.pins.get(key) {
            Some(ParamValue::Real(p)) => *p,
            Some(ParamValue::Int(p)) => *p as f64,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Real(v));
        v
    }

    /// Draws integer parameter `key` from the difficulty's declared range with its upper end
    /// capped at `cap` (an earlier draw may make larger values meaningless), or returns its pin.
    pub fn int_capped(&mut self, key: &str, cap: i64) -> i64 {
        let ParamKind::Int { draw, .. } = self.spec(key).kind else {
            panic!("parameter `{key}` is not an integer")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        self.int_within(key, lo, hi.min(cap).max(lo), 1)
    }

    /// Draws real parameter `key` from the difficulty's declared range with its upper end capped
    /// at `cap` (the lower end too, if it lies above), or returns its pin.
    pub fn real_capped(&mut self, key: &str, cap: f64) -> f64 {
        let ParamKind::Real { draw, .. } = self.spec(key).kind else {
            panic!("parameter `{key}` is not a real")
        };
        let (lo, hi) = draw[self.difficulty.index()];
        self.real_within(key, lo.min(cap), hi.min(cap))
    }

    /// Draws real parameter `key` on its grid in `lo..=hi`, a range that depends on earlier draws
    /// (clamped to the declared bounds), or returns its pin; the value recorded is the one used.
    pub fn real_within(&mut self, key: &str, lo: f64, hi: f64) -> f64 {
        let spec = self.spec(key);
        let ParamKind::Real { min, max, step, .. } = spec.kind else {
            panic!("parameter `{key}` is not a real")
        };
        let lo = lo.clamp(min, max);
        let hi = hi.clamp(lo, max);
        let (a, b) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
        let drawn = if a <= b {
            snap(self.rng.random_range(a..=b) as f64 * step, step)
        } else {
            snap(lo, step)
        };
        let v = match self.pins.get(key) {
            Some(ParamValue::Real(p)) => *p,
            Some(ParamValue::Int(p)) => *p as f64,
            _ => drawn,
        };
        self.resolved.insert(key.to_string(), ParamValue::Real(v));
        v
    }

    /// Draws word parameter `key` from the difficulty's list, or returns its pin.
    pub fn pick(&mut self, key: &str) -> &'static str {
        let spec = self.spec(key);
        let ParamKind::Choice { options, draw } = spec.kind else {
            panic!("parameter `{key}` is not a choice")
        };
        let list = draw[self.difficulty.index()];
        let drawn = list[self.rng.random_range(0..list.len())];
        let v = match self.pins.get(key) {
            Some(ParamValue::Choice(p)) => {
                options.iter().copied().find(|o| o == p).unwrap_or(drawn)
            }
            _ => drawn,
        };
        self.resolved
            .insert(key.to_string(), ParamValue::Choice(v.to_string()));
        v
    }

    /// Takes back the record of `key`: this variant drew it (so the draws after it are the same
    /// whichever variant is asked) but does not use it, and a question records only the
    /// parameters it uses.
    pub fn unused(&mut self, key: &str) {
        self.resolved.remove(key);
    }

    /// Records `value` as the value this question uses for `key`, where the family adjusted a
    /// draw (rounded it to a power of two, added an offset): the question records what it shows.
    /// A pin is used as given, so for a pinned key `value` must be the pin.
    pub fn adjusted(&mut self, key: &str, value: ParamValue) {
        debug_assert!(
            self.pins.get(key).is_none_or(|p| *p == value),
            "family {} adjusted the pinned parameter `{key}`",
            self.family_id
        );
        self.spec(key);
        self.resolved.insert(key.to_string(), value);
    }

    /// The range integer parameter `key` can take in this draw: its pin, or the difficulty's
    /// declared draw range. Families use it to refuse up front a pin that makes a flaw certain
    /// (every draw would be redrawn), instead of spending every redraw before the error.
    pub fn int_bounds(&self, key: &str) -> (i64, i64) {
        let ParamKind::Int { draw, .. } = self.spec(key).kind else {
            panic!("parameter `{key}` is not an integer")
        };
        match self.pins.get(key) {
            Some(ParamValue::Int(p)) => (*p, *p),
            _ => draw[self.difficulty.index()],
        }
    }

    /// [`Ctx::int_bounds`] for a real parameter.
    pub fn real_bounds(&self, key: &str) -> (f64, f64) {
        let ParamKind::Real { draw, .. } = self.spec(key).kind else {
            panic!("parameter `{key}` is not a real")
        };
        match self.pins.get(key) {
            Some(ParamValue::Real(p)) => (*p, *p),
            Some(ParamValue::Int(p)) => (*p as f64, *p as f64),
            _ => draw[self.difficulty.index()],
        }
    }

    /// The values choice parameter `key` can take in this draw: its pin, or the difficulty's
    /// draw list (see [`Ctx::int_bounds`]).
    pub fn choice_options(&self, key: &str) -> Vec<&'static str> {
        let ParamKind::Choice { options, draw } = self.spec(key).kind else {
            panic!("parameter `{key}` is not a choice")
        };
        match self.pins.get(key) {
            Some(ParamValue::Choice(p)) => options.iter().copied().filter(|o| o == p).collect(),
            _ => draw[self.difficulty.index()].to_vec(),
        }
    }

    /// True when `key` was pinned with `--set` (families use it to skip re-draws of a pinned value).
    pub fn is_pinned(&self, key: &str) -> bool {
        self.pins.contains_key(key)
    }

    /// The parameter values used so far.
    pub fn resolved(&self) -> &Pins {
        &self.resolved
    }
}

/// Rounds `x` to the decimal grid of `step`, so 0.1 + 0.2 prints as 0.3.
fn snap(x: f64, step: f64) -> f64 {
    let places = (-step.log10().floor()).max(0.0) as usize + 2;
    format!("{x:.places$}").parse().unwrap_or(x)
}
