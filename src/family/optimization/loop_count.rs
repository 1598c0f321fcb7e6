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
//! **Second route.** An independent evaluator that never runs the innermost loop: it walks the
//! outer loops and adds the innermost trip count from its closed form
//! (⌈(bound − start)/step⌉ for additive steps, a doubling count for multiplicative ones), so the
//! two agree only if both the interpreter and the algebra are right. The solution shows the
//! closed-form sum where a simple one exists.
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
        help: "the inner loop's step",
        kind: ParamKind::Int {
            min: 1,
            max: 5,
            draw: [(1, 2), (1, 3), (2, 3)],
        },
    },
    ParamSpec {
        key: "outer_step",
        help: "the outer loop's step (additive shapes)",
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
            add(Expr::c(0), Expr::t(Term::Square(0)), s_in * 2),
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
        1
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

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let shape = cx.pick("shape");
        let n = cx.int("n");
        let s_in = cx.int("step");
        let s_out = cx.int("outer_step");
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
        .with_scenario(&Scenario { loops, n }))
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let s: Scenario = q.scenario()?;
        let Expected::Integer { value } = q.expected(0)? else {
            return Err(CheckError("slot 0 must be an integer".into()));
        };
        CheckError::expect_eq(
            "count (closed-form innermost trips)",
            *value,
            evaluate(&s.loops, s.n) as i64,
        )
    }
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
