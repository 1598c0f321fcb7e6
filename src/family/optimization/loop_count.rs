//! `optimization.loop_count`: how many times does the inner statement of a loop nest run?
//!
//! **Asked**: nested-loop pseudo-code (C-like `for` loops) with drawn bounds and steps, and a
//! value of n; the number of times `count++` runs (an exact integer).
//!
//! **Shapes** (`shape`), by difficulty:
//! - easy: `rect` (two independent loops with steps), `tri` (inner loop starts at i);
//! - medium: `tri`, `log` (outer i doubles, inner linear), `dep_step` (inner runs to i with a step);
//! - hard: `log`, `square` (inner runs while j < i·i, stepping), `three` (three loops, the innermost
//!   from j to n).
//!
//! `n` is drawn per difficulty (easy 10–40, medium 20–120, hard 20–60) and steps 1–3.
//!
//! **Key.** One loop description (a small AST) both renders the pseudo-code and is *executed* by
//! an interpreter that counts the inner statement.
//!
//! **Second route.** Closed forms per shape, derived by hand from the shape and its steps (not from
//! the loop description), that never iterate the outer loops either: the outer trip counts
//! ⌈n/s⌉, ⌈(n − 1)/s⌉ and the bit length of n − 1 (doubling); rect ⌈n/s_o⌉·⌈L/s_i⌉ (L = n, or n + 1
//! for `<=`); tri and dep_step as floor sums Σ_k ⌊(a·k + b)/m⌋ (the Euclid-like algorithm); square
//! as (Σ i² + Σ of the ceiling's remainders, which repeat with period t)/t; three through
//! C(x) = Σ_{m ≤ x} ⌈m/s⌉ = s·q(q + 1)/2 + r(q + 1). The description rebuilt from the shape must
//! also be the one shown. The evidence adds an evaluator that walks the outer loops and adds the
//! innermost trip count in closed form; the tests hold hand-traced counts for every shape.
//!
//! **Pitfalls**: off-by-one at `<` against `<=`; forgetting that a stepped loop rounds up;
//! treating a doubling loop as linear.

use crate::answer::{AnswerSlot, Expected};
use crate::content::Content;
use crate::family::{CheckError, Ctx, Family, GenError, ParamKind, ParamSpec, Question, Topic};
use serde::{Deserialize, Serialize};

/// The family.
pub struct LoopCount;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "shape",
        help: "rect, tri, log, dep_step, square or three (see the family docs)",
        kind: ParamKind::Choice {
            options: &["rect", "tri", "log", "dep_step", "square", "three"],
            draw: [&["rect", "tri"], &["tri", "log", "dep_step"], &["log", "square", "three"]],
        },
    },
    ParamSpec {
        key: "n",
        help: "the value of n",
        kind: ParamKind::Int {
            min: 1,
            max: 400,
            draw: [(10, 40), (20, 120), (20, 60)],
        },
    },
    ParamSpec {
        key: "step",
        help: "the inner loop's step, as written in the code (square draws an even one)",
        kind: ParamKind::Int {
            min: 1,
            max: 5,
            draw: [(1, 2), (1, 3), (2, 3)],
        },
    },
    ParamSpec {
        key: "outer_step",
        help: "the outer loop's step (every shape but log, whose outer loop doubles)",
        kind: ParamKind::Int {
            min: 1,
            max: 5,
            draw: [(1, 2), (1, 3), (1, 3)],
        },
    },
];

/// A value in a loop header: `a·x + b` where x is 1, n, a loop variable, or a variable squared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Term {
    One,
    N,
    Var(usize),
    Square(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Expr {
    a: i64,
    x: Term,
    b: i64,
}

impl Expr {
    fn c(b: i64) -> Expr {
        Expr { a: 0, x: Term::One, b }
    }
    fn t(x: Term) -> Expr {
        Expr { a: 1, x, b: 0 }
    }
    fn eval(&self, n: i64, vars: &[i64]) -> i64 {
        let x = match self.x {
            Term::One => 1,
            Term::N => n,
            Term::Var(v) => vars[v],
            Term::Square(v) => vars[v] * vars[v],
        };
        self.a * x + self.b
    }
    fn render(&self, names: &[char]) -> String {
        let x = match self.x {
            Term::One => return self.b.to_string(),
            Term::N => "n".to_string(),
            Term::Var(v) => names[v].to_string(),
            Term::Square(v) => format!("{0} * {0}", names[v]),
        };
        let ax = if self.a == 1 { x } else { format!("{} * {x}", self.a) };
        match self.b {
            0 => ax,
            b if b > 0 => format!("{ax} + {b}"),
            b => format!("{ax} - {}", -b),
        }
    }
}

/// `for (v = start; v < bound (or <=); v += step (or *= step))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Loop {
    start: Expr,
    bound: Expr,
    inclusive: bool,
    step: i64,
    multiply: bool,
}

/// What the cross-check needs.
#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    loops: Vec<Loop>,
    n: i64,
    shape: String,
    s_in: i64,
    s_out: i64,
    inclusive: bool,
}

const NAMES: [char; 3] = ['i', 'j', 'k'];
/// The interpreter stops beyond this many inner runs (the drawn ranges stay far below it).
const LIMIT: u64 = 5_000_000;

fn render(loops: &[Loop]) -> String {
    let mut s = String::from("count = 0\n");
    for (d, l) in loops.iter().enumerate() {
        let v = NAMES[d];
        let step = match (l.multiply, l.step) {
            (true, k) => format!("{v} *= {k}"),
            (false, 1) => format!("{v}++"),
            (false, k) => format!("{v} += {k}"),
        };
        s.push_str(&format!(
            "{}for ({v} = {}; {v} {} {}; {step})\n",
            "    ".repeat(d),
            l.start.render(&NAMES),
            if l.inclusive { "<=" } else { "<" },
            l.bound.render(&NAMES),
        ));
    }
    s.push_str(&format!("{}count++\n", "    ".repeat(loops.len())));
    s
}

/// Route 1: run the loops, counting the inner statement.
fn execute(loops: &[Loop], n: i64) -> Option<u64> {
    fn go(loops: &[Loop], d: usize, n: i64, vars: &mut Vec<i64>, count: &mut u64) -> bool {
        if d == loops.len() {
            *count += 1;
            return *count <= LIMIT;
        }
        let l = loops[d];
        let mut v = l.start.eval(n, vars);
        loop {
            let b = l.bound.eval(n, vars);
            if !(if l.inclusive { v <= b } else { v < b }) {
                return true;
            }
            vars.push(v);
            let ok = go(loops, d + 1, n, vars, count);
            vars.pop();
            if !ok {
                return false;
            }
            let next = if l.multiply { v * l.step } else { v + l.step };
            if next <= v {
                return false; // would never terminate
            }
            v = next;
        }
    }
    let mut count = 0;
    go(loops, 0, n, &mut Vec::new(), &mut count).then_some(count)
}

/// Trip count of one loop from its bounds, without iterating it (route 2).
fn trips(l: &Loop, start: i64, bound: i64) -> u64 {
    let last = if l.inclusive { bound + 1 } else { bound };
    if start >= last {
        return 0;
    }
    if l.multiply {
        // start, start·k, …, < last: the number of powers that fit.
        let mut c = 0;
        let mut v = start;
        while v < last {
            c += 1;
            v *= l.step;
        }
        c
    } else {
        ((last - start + l.step - 1) / l.step) as u64
    }
}

/// Route 2: iterate every loop but the innermost, whose trips come from [`trips`].
fn evaluate(loops: &[Loop], n: i64) -> u64 {
    fn go(loops: &[Loop], d: usize, n: i64, vars: &mut Vec<i64>) -> u64 {
        let l = loops[d];
        if d + 1 == loops.len() {
            return trips(&l, l.start.eval(n, vars), l.bound.eval(n, vars));
        }
        let mut total = 0;
        let mut v = l.start.eval(n, vars);
        let b = l.bound.eval(n, vars);
        while if l.inclusive { v <= b } else { v < b } {
            vars.push(v);
            total += go(loops, d + 1, n, vars);
            vars.pop();
            v = if l.multiply { v * l.step } else { v + l.step };
        }
        total
    }
    go(loops, 0, n, &mut Vec::new())
}

fn build(shape: &str, s_in: i64, s_out: i64, inclusive: bool) -> Vec<Loop> {
    let add = |start: Expr, bound: Expr, step: i64| Loop {
        start,
        bound,
        inclusive: false,
        step,
        multiply: false,
    };
    match shape {
        "rect" => vec![
            add(Expr::c(0), Expr::t(Term::N), s_out),
            Loop {
                inclusive,
                ..add(Expr::c(0), Expr::t(Term::N), s_in)
            },
        ],
        "tri" => vec![
            add(Expr::c(0), Expr::t(Term::N), s_out),
            Loop {
                inclusive,
                ..add(Expr::t(Term::Var(0)), Expr::t(Term::N), s_in)
            },
        ],
        "log" => vec![
            Loop {
                multiply: true,
                ..add(Expr::c(1), Expr::t(Term::N), 2)
            },
            add(Expr::c(0), Expr::t(Term::Var(0)), s_in),
        ],
        "dep_step" => vec![
            add(Expr::c(1), Expr::t(Term::N), s_out),
            Loop {
                inclusive,
                ..add(Expr::c(0), Expr::t(Term::Var(0)), s_in)
            },
        ],
        "square" => vec![
            add(Expr::c(1), Expr::t(Term::N), s_out),
            add(Expr::c(0), Expr::t(Term::Square(0)), s_in),
        ],
        _ => vec![
            add(Expr::c(0), Expr::t(Term::N), s_out),
            add(Expr::t(Term::Var(0)), Expr::t(Term::N), 1),
            Loop {
                inclusive,
                ..add(Expr::t(Term::Var(1)), Expr::t(Term::N), s_in)
            },
        ],
    }
}

impl Family for LoopCount {
    fn id(&self) -> &'static str {
        "optimization.loop_count"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Counting the work in a loop nest"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }
    /// `step` and `outer_step` are the steps in the loop headers (`i++` for 1).
    fn shown_indirectly(&self) -> &'static [&'static str] {
        &["step", "outer_step"]
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let shape = cx.pick("shape");
        let n = cx.int("n");
        let mut s_in = cx.int("step");
        let s_out = cx.int("outer_step");
        if shape == "square" && !cx.is_pinned("step") {
            // j runs to i·i: an even step keeps the counts from being a plain square sum.
            s_in *= 2;
            cx.adjusted("step", crate::family::ParamValue::Int(s_in));
        }
        if shape == "log" {
            cx.unused("outer_step");
        }
        let inclusive = rand::Rng::random_bool(cx.rng(), 0.3);
        let loops = build(shape, s_in, s_out, inclusive);
        let Some(count) = execute(&loops, n) else {
            return Err(GenError::Params {
                message: format!("n = {n} makes the {shape} loop nest run more than {LIMIT} times"),
                hint: "choose a smaller n".into(),
            });
        };
        let code = render(&loops);
        let prompt = Content::new()
            .p("A profiler points at this loop nest (integer arithmetic throughout):")
            .code("c", code)
            .p(format!(
                "For **n = {n}**, how many times does `count++` run?"
            ));
        // Per-outer-iteration counts for the solution.
        let outer = loops[0];
        let mut rows = Vec::new();
        let mut v = outer.start.eval(n, &[]);
        let b = outer.bound.eval(n, &[]);
        let mut total = 0u64;
        let mut shown = 0;
        let mut iterations = 0;
        while if outer.inclusive { v <= b } else { v < b } {
            let c = if loops.len() == 1 {
                1
            } else {
                let sub: Vec<Loop> = loops[1..].to_vec();
                count_with_outer(&sub, n, v)
            };
            total += c;
            iterations += 1;
            if shown < 6 {
                rows.push(vec![format!("{} = {v}", NAMES[0]), c.to_string()]);
                shown += 1;
            }
            v = if outer.multiply { v * outer.step } else { v + outer.step };
        }
        if iterations > shown {
            rows.push(vec!["…".into(), "…".into()]);
        }
        let mut solution = Content::new()
            .p(format!(
                "Count, for each value of the outer variable, how many times the inner loops run, \
                 then add. The outer loop runs {iterations} times."
            ))
            .table(["outer", "inner runs"], rows);
        if let Some(f) = closed_form(shape, n, s_in, s_out, inclusive) {
            solution = solution.p(f);
        }
        solution = solution.p(format!("Total: **{count}**."));
        let evidence = Content::new().p(format!(
            "The loop description above was executed by an interpreter: `count` = {count}. An \
             evaluator that adds the innermost loop's trip count in closed form gives {}; the \
             per-outer-iteration sum gives {total}.",
            evaluate(&loops, n)
        ));
        Ok(Question::new(
            prompt,
            vec![AnswerSlot::new(
                "the number of times count++ runs",
                Expected::Integer {
                    value: count as i64,
                },
            )],
            solution,
            evidence,
        )
        .with_scenario(&Scenario { loops, n, shape: shape.to_string(), s_in, s_out, inclusive }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("slot 0 must be an integer".into()));
        };
        CheckError::expect_eq(
            "the shown loops are the shape's",
            &s.loops,
            &build(&s.shape, s.s_in, s.s_out, s.inclusive),
        )?;
        let closed = closed_count(&s.shape, s.n, s.s_in, s.s_out, s.inclusive)
            .ok_or_else(|| CheckError(format!("no closed form for shape {}", s.shape)))?;
        CheckError::expect_eq("count (closed form for the shape)", *value, closed as i64)
    }
}

/// Σ_{k=0}^{count−1} ⌊(a·k + b)/m⌋ for a, b ≥ 0, m ≥ 1, without iterating k (the Euclid-like
/// reduction: take out whole multiples of m from a and b, then swap the roles of the axes).
fn floor_sum(mut count: u128, mut m: u128, mut a: u128, mut b: u128) -> u128 {
    let mut total = 0;
    loop {
        if a >= m {
            total += count * count.saturating_sub(1) / 2 * (a / m);
            a %= m;
        }
        if b >= m {
            total += count * (b / m);
            b %= m;
        }
        let y_max = a * count + b;
        if y_max < m {
            return total;
        }
        count = y_max / m;
        b = y_max % m;
        std::mem::swap(&mut m, &mut a);
    }
}

/// The count by closed forms per shape (the second route; see the module docs). `None` for an
/// unknown shape.
fn closed_count(shape: &str, n: i64, s_in: i64, s_out: i64, inclusive: bool) -> Option<u64> {
    let (n, si, so) = (n.max(0) as u128, s_in.max(1) as u128, s_out.max(1) as u128);
    let l = n + u128::from(inclusive);
    // Trips of `for (v = 0; v < x; v += s)` and `for (v = 1; v < n; v += s)`.
    let from0 = |x: u128, s: u128| x.div_ceil(s);
    let from1 = |s: u128| if n >= 2 { (n - 1).div_ceil(s) } else { 0 };
    let total = match shape {
        "rect" => from0(n, so) * from0(l, si),
        // i = k·s_o; Σ_k ⌈(L − k·s_o)/s_i⌉, k reversed so the terms grow.
        "tri" => {
            let k = from0(n, so);
            if k == 0 {
                0
            } else {
                floor_sum(k, si, so, l - (k - 1) * so + si - 1)
            }
        }
        // i = 1 + k·s_o; Σ_k ⌈(i + [<=])/s_i⌉.
        "dep_step" => floor_sum(from1(so), si, so, u128::from(inclusive) + si),
        // i = 1, 2, 4, … < n: as many as the bit length of n − 1; Σ ⌈2^p/s⌉ = (2^P − 1 + Σ r_p)/s
        // with r_p the amount each 2^p falls short of a multiple of s.
        "log" => {
            let p = if n >= 2 { 128 - (n - 1).leading_zeros() } else { 0 };
            let short: u128 = (0..p).map(|e| (si - (1u128 << e) % si) % si).sum();
            ((1u128 << p) - 1 + short) / si
        }
        // i = 1 + k·s_o; Σ ⌈i²/t⌉ = (Σ i² + Σ (−i² mod t))/t, the remainders repeating every t.
        "square" => {
            let k = from1(so);
            let sum_sq = k + so * k * k.saturating_sub(1) + so * so * k.saturating_sub(1) * k * (2 * k).saturating_sub(1) / 6;
            let short = |kk: u128| (si - ((1 + kk * so) * (1 + kk * so)) % si) % si;
            let period: u128 = (0..si).map(short).sum();
            let rest: u128 = (0..k % si).map(short).sum();
            (sum_sq + (k / si) * period + rest) / si
        }
        // i = k·s_o; j = i … n − 1; innermost ⌈(L − j)/s_i⌉. With C(x) = Σ_{m=1..x} ⌈m/s_i⌉ in
        // closed form, the two inner loops give C(L − i) − C(L − n).
        "three" => {
            let c = |x: u128| {
                let (q, r) = (x / si, x % si);
                si * q * (q + 1) / 2 + r * (q + 1)
            };
            (0..from0(n, so)).map(|k| c(l - k * so) - c(l - n)).sum()
        }
        _ => return None,
    };
    u64::try_from(total).ok()
}

/// The inner loops' count for one value of the outer variable.
fn count_with_outer(inner: &[Loop], n: i64, outer: i64) -> u64 {
    fn go(loops: &[Loop], d: usize, n: i64, vars: &mut Vec<i64>) -> u64 {
        if d == loops.len() {
            return 1;
        }
        let l = loops[d];
        let mut total = 0;
        let mut v = l.start.eval(n, vars);
        let b = l.bound.eval(n, vars);
        while if l.inclusive { v <= b } else { v < b } {
            vars.push(v);
            total += go(loops, d + 1, n, vars);
            vars.pop();
            v = if l.multiply { v * l.step } else { v + l.step };
        }
        total
    }
    // Variable indices in `inner` are shifted by one: index 0 is the outer variable.
    let mut vars = vec![outer];
    let mut total = 0;
    let l = inner[0];
    let mut v = l.start.eval(n, &vars);
    let b = l.bound.eval(n, &vars);
    while if l.inclusive { v <= b } else { v < b } {
        vars.push(v);
        total += go(inner, 1, n, &mut vars);
        vars.pop();
        v = if l.multiply { v * l.step } else { v + l.step };
    }
    total
}

/// A closed-form explanation for the simple shapes with unit steps.
fn closed_form(shape: &str, n: i64, s_in: i64, s_out: i64, inclusive: bool) -> Option<String> {
    match (shape, s_in, s_out, inclusive) {
        ("rect", 1, 1, false) => Some(format!("Closed form: n · n = {}.", n * n)),
        ("tri", 1, 1, false) => Some(format!(
            "Closed form: Σ (n − i) for i = 0 … n−1 = n(n+1)/2 = {}.",
            n * (n + 1) / 2
        )),
        ("dep_step", 1, 1, false) => Some(format!(
            "Closed form: Σ i for i = 1 … n−1 = n(n−1)/2 = {}.",
            n * (n - 1) / 2
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::family::{generate, parse_pins, Difficulty};
    use crate::audit::stress;

    #[test]
    fn passes_the_stress_check() {
        stress(&LoopCount, 0..60).unwrap();
    }

    #[test]
    fn the_step_recorded_is_the_step_shown() {
        // square doubles its drawn step; the question records (and a pin means) the step shown.
        for seed in 0..10 {
            let pins = parse_pins(&LoopCount, &["shape=square".into()]).unwrap();
            let q = generate(&LoopCount, seed, Difficulty::Hard, &pins).unwrap();
            let step = q.params["step"].to_string();
            assert!(q.prompt.plain_text().contains(&format!("j += {step})")), "{step}: {}", q.prompt.plain_text());
            assert!(!q.params.contains_key("outer_step") || !q.prompt.plain_text().contains("*= 2"));
        }
    }

    #[test]
    fn counts_known_loop_nests() {
        // for i in 0..10, for j in i..10 (exclusive): 10 + 9 + … + 1 = 55.
        let tri = build("tri", 1, 1, false);
        assert_eq!(execute(&tri, 10), Some(55));
        // for (i = 1; i < 16; i *= 2) for (j = 0; j < i; j++): 1 + 2 + 4 + 8 = 15.
        let log = build("log", 1, 1, false);
        assert_eq!(execute(&log, 16), Some(15));
        // Inclusive inner bound adds one per outer iteration: 10 × 11 = 110.
        let rect = build("rect", 1, 1, true);
        assert_eq!(execute(&rect, 10), Some(110));
        // Stepped: i = 0, 2, 4 (n = 6) and j = 0, 3 (<6): 3 × 2 = 6.
        assert_eq!(execute(&build("rect", 3, 2, false), 6), Some(6));
        assert!(render(&log).contains("for (i = 1; i < n; i *= 2)"));
    }

    #[test]
    fn hand_traced_counts_for_every_shape() {
        // Each traced by hand, iteration by iteration:
        // rect, n = 5, s_o = 2, s_i = 3: i ∈ {0, 2, 4}, j ∈ {0, 3}: 6; with j <= n and s_i = 1,
        // j ∈ {0 … 5}: 3 × 6 = 18.
        // tri, n = 5, steps 1 and 2: i = 0: j ∈ {0, 2, 4}; 1: {1, 3}; 2: {2, 4}; 3: {3}; 4: {4}: 9.
        // dep_step, n = 6, s_o = 2, s_i = 1: i ∈ {1, 3, 5}, j < i: 1 + 3 + 5 = 9; j <= i: 12.
        // log, n = 9, s_i = 2: i ∈ {1, 2, 4, 8}; j = 0, 2, … < i: 1 + 1 + 2 + 4 = 8.
        // square, n = 5, s_o = 2, t = 3: i ∈ {1, 3}; i = 1: j ∈ {0}; i = 3: j ∈ {0, 3, 6}: 4.
        // three, n = 4, s_o = 2, s_i = 2: i = 0: j = 0: k ∈ {0, 2}; 1: {1, 3}; 2: {2}; 3: {3} (6);
        // i = 2: j = 2: {2}; 3: {3} (2): 8.
        let traced = [
            ("rect", 5, 3, 2, false, 6),
            ("rect", 5, 1, 2, true, 18),
            ("tri", 5, 2, 1, false, 9),
            ("dep_step", 6, 1, 2, false, 9),
            ("dep_step", 6, 1, 2, true, 12),
            ("log", 9, 2, 1, false, 8),
            ("square", 5, 3, 2, false, 4),
            ("three", 4, 2, 2, false, 8),
        ];
        for (shape, n, s_in, s_out, inc, want) in traced {
            assert_eq!(execute(&build(shape, s_in, s_out, inc), n), Some(want), "interpreter, {shape}");
            assert_eq!(closed_count(shape, n, s_in, s_out, inc), Some(want), "closed form, {shape}");
        }
    }

    #[test]
    fn the_closed_forms_match_the_interpreter_everywhere() {
        for shape in ["rect", "tri", "log", "dep_step", "square", "three"] {
            for n in 1..=45 {
                for (s_in, s_out) in [(1, 1), (2, 1), (1, 3), (3, 2), (4, 5), (6, 3)] {
                    for inc in [false, true] {
                        let loops = build(shape, s_in, s_out, inc);
                        assert_eq!(closed_count(shape, n, s_in, s_out, inc), execute(&loops, n), "{shape} n={n} {s_in} {s_out} {inc}");
                    }
                }
            }
        }
        // The floor sum against the sum it replaces.
        for (c, m, a, b) in [(0u128, 3u128, 2u128, 1u128), (10, 3, 2, 1), (37, 7, 11, 5), (100, 13, 6, 40)] {
            let direct: u128 = (0..c).map(|k| (a * k + b) / m).sum();
            assert_eq!(floor_sum(c, m, a, b), direct, "{c} {m} {a} {b}");
        }
    }

    #[test]
    fn pins_are_used_and_bad_ones_refused() {
        let pins = parse_pins(&LoopCount, &["shape=tri".into(), "n=10".into(), "step=1".into(), "outer_step=1".into()]).unwrap();
        let q = generate(&LoopCount, 2, Difficulty::Easy, &pins).unwrap();
        let v = q.slots[0].expected.reference();
        assert!(v == "55" || v == "65", "exclusive 55 or inclusive 65, got {v}");
        let big = parse_pins(&LoopCount, &["shape=three".into(), "n=400".into(), "step=1".into(), "outer_step=1".into()]).unwrap();
        // 400³/6 ≈ 10.7 million inner runs: refused with a hint rather than run forever.
        assert!(generate(&LoopCount, 2, Difficulty::Hard, &big).is_err());
    }

    #[test]
    fn the_cross_check_catches_a_wrong_key() {
        for shape in ["rect", "tri", "log", "dep_step", "square", "three"] {
            let pins = parse_pins(&LoopCount, &[format!("shape={shape}")]).unwrap();
            let mut q = generate(&LoopCount, 5, Difficulty::Medium, &pins).unwrap();
            crate::family::cross_check(&LoopCount, &q).unwrap();
            let Expected::Integer { value } = q.slots[0].expected else { panic!() };
            q.slots[0].expected = Expected::Integer { value: value - 1 };
            assert!(crate::family::cross_check(&LoopCount, &q).is_err(), "{shape}");
        }
    }
}
