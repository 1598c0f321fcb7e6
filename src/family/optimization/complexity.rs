//! `optimization.complexity` (choice): the Θ-class of a loop nest's running time.
//!
//! **Asked.** A C-like loop nest whose body is `work()`; which growth class describes how often
//! `work()` runs as n grows? Four options: the right class and three from named misconceptions.
//!
//! **Shapes** (`shape`), by difficulty:
//! - easy: `const_inner` (Θ(n): an inner loop with a constant bound), `triangle` (Θ(n²)),
//!   `halving` (Θ(log n));
//! - medium: `n_log_n` (an inner doubling loop), `sqrt` (`i * i <= n`), `geometric` (outer
//!   doubling, inner up to i: Θ(n)), `log_squared`;
//! - hard: `geometric`, `harmonic` (inner step i: Θ(n log n)), `n_sqrt_n` (inner `j * j <= i`),
//!   `cubic` (three nested triangles: Θ(n³)).
//!
//! `factor` (2 or 3) is the multiplier of the multiplicative loops, `inner` the constant bound of
//! `const_inner`, and `start` (0 or 1) where the additive loops start.
//!
//! **Key.** The loop description (one small AST that also renders the code) is *executed* at
//! sizes from 16 to 2^16, as far as a budget of 3 million loop steps allows, counting `work()`.
//! The sizes are powers of the nest's multiplier (2 when it has none), so that the staircase of
//! ⌈log_k n⌉ does not alias with them.
//! Then the growth is fitted: for each class f, the ratios count(n)/f(n) over the last three
//! sizes; the class whose ratio is most nearly constant (least log-drift) wins.
//!
//! **Second route.** The class derived by hand for each shape (a closed form), stated in the
//! solution: the key must equal it, for every drawn shape and constant.
//!
//! **Pitfalls**: multiplying loop counts when the inner bound depends on the outer variable
//! (geometric, harmonic); counting a doubling loop as linear; treating a constant inner loop as n.

use crate::answer::{AnswerSlot, ChoiceOption, Expected};
use crate::content::Content;
use crate::family::{
    About, Ask, CheckError, Ctx, Family, FollowUp, GenError, ParamKind, ParamSpec, Question, Topic,
};
use serde::{Deserialize, Serialize};

/// The family.
pub struct Complexity;

static PARAMS: &[ParamSpec] = &[
    ParamSpec {
        key: "shape",
        help: "const_inner, triangle, halving, n_log_n, sqrt, geometric, log_squared, harmonic, n_sqrt_n or cubic",
        kind: ParamKind::Choice {
            options: &["const_inner", "triangle", "halving", "n_log_n", "sqrt", "geometric", "log_squared", "harmonic", "n_sqrt_n", "cubic"],
            draw: [
                &["const_inner", "triangle", "halving"],
                &["n_log_n", "sqrt", "geometric", "log_squared"],
                &["geometric", "harmonic", "n_sqrt_n", "cubic"],
            ],
        },
    },
    ParamSpec {
        key: "factor",
        help: "multiplier of the multiplicative loops",
        kind: ParamKind::Int { min: 2, max: 4, draw: [(2, 2), (2, 3), (2, 3)] },
    },
    ParamSpec {
        key: "inner",
        help: "constant bound of the inner loop (const_inner)",
        kind: ParamKind::Int { min: 1, max: 1000, draw: [(5, 100), (5, 100), (5, 100)] },
    },
    ParamSpec {
        key: "start",
        help: "where the additive loops start (0 or 1)",
        kind: ParamKind::Int { min: 0, max: 1, draw: [(0, 1), (0, 1), (0, 1)] },
    },
];

/// A growth class, in order of growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Class {
    Const,
    Log,
    LogSq,
    Sqrt,
    Linear,
    NLogN,
    NSqrtN,
    Quadratic,
    Cubic,
}

const CLASSES: [Class; 9] = [
    Class::Const,
    Class::Log,
    Class::LogSq,
    Class::Sqrt,
    Class::Linear,
    Class::NLogN,
    Class::NSqrtN,
    Class::Quadratic,
    Class::Cubic,
];

impl Class {
    fn f(self, n: f64) -> f64 {
        let l = n.log2();
        match self {
            Class::Const => 1.0,
            Class::Log => l,
            Class::LogSq => l * l,
            Class::Sqrt => n.sqrt(),
            Class::Linear => n,
            Class::NLogN => n * l,
            Class::NSqrtN => n * n.sqrt(),
            Class::Quadratic => n * n,
            Class::Cubic => n * n * n,
        }
    }
    fn text(self) -> &'static str {
        match self {
            Class::Const => "Θ(1)",
            Class::Log => "Θ(log n)",
            Class::LogSq => "Θ(log² n)",
            Class::Sqrt => "Θ(√n)",
            Class::Linear => "Θ(n)",
            Class::NLogN => "Θ(n log n)",
            Class::NSqrtN => "Θ(n√n)",
            Class::Quadratic => "Θ(n²)",
            Class::Cubic => "Θ(n³)",
        }
    }
}

/// A value in a loop header.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Ex {
    Const(i64),
    N,
    /// An enclosing loop's variable, by depth.
    Var(usize),
}

/// The loop condition on the loop's own variable v.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Cond {
    /// v < x
    Lt(Ex),
    /// v <= x
    Le(Ex),
    /// v * v <= x
    SqLe(Ex),
    /// v > x
    Gt(Ex),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Step {
    /// v += x
    Add(Ex),
    /// v *= k
    Mul(i64),
    /// v /= k
    Div(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Loop {
    init: Ex,
    cond: Cond,
    step: Step,
}

const NAMES: [char; 3] = ['i', 'j', 'k'];

fn eval(x: Ex, n: i64, vars: &[i64]) -> i64 {
    match x {
        Ex::Const(c) => c,
        Ex::N => n,
        Ex::Var(d) => vars[d],
    }
}

fn render_ex(x: Ex) -> String {
    match x {
        Ex::Const(c) => c.to_string(),
        Ex::N => "n".into(),
        Ex::Var(d) => NAMES[d].to_string(),
    }
}

/// The loop nest as C-like code.
fn render(loops: &[Loop]) -> String {
    let mut out = String::new();
    for (d, l) in loops.iter().enumerate() {
        let v = NAMES[d];
        let cond = match l.cond {
            Cond::Lt(x) => format!("{v} < {}", render_ex(x)),
            Cond::Le(x) => format!("{v} <= {}", render_ex(x)),
            Cond::SqLe(x) => format!("{v} * {v} <= {}", render_ex(x)),
            Cond::Gt(x) => format!("{v} > {}", render_ex(x)),
        };
        let step = match l.step {
            Step::Add(Ex::Const(1)) => format!("{v}++"),
            Step::Add(x) => format!("{v} += {}", render_ex(x)),
            Step::Mul(k) => format!("{v} *= {k}"),
            Step::Div(k) => format!("{v} /= {k}"),
        };
        out.push_str(&format!(
            "{}for ({v} = {}; {cond}; {step})\n",
            "    ".repeat(d),
            render_ex(l.init)
        ));
    }
    out.push_str(&format!("{}work();", "    ".repeat(loops.len())));
    out
}

/// Runs the nest at n, counting `work()`; counts every loop step against `budget` and stops
/// early (returning None) when it runs out.
fn execute(loops: &[Loop], n: i64, budget: &mut u64) -> Option<u64> {
    fn go(loops: &[Loop], d: usize, n: i64, vars: &mut Vec<i64>, budget: &mut u64) -> Option<u64> {
        let Some(l) = loops.get(d) else {
            return Some(1);
        };
        let mut v = eval(l.init, n, vars);
        let mut count = 0u64;
        loop {
            let go_on = match l.cond {
                Cond::Lt(x) => v < eval(x, n, vars),
                Cond::Le(x) => v <= eval(x, n, vars),
                Cond::SqLe(x) => v.checked_mul(v).is_some_and(|sq| sq <= eval(x, n, vars)),
                Cond::Gt(x) => v > eval(x, n, vars),
            };
            if !go_on {
                return Some(count);
            }
            *budget = budget.checked_sub(1)?;
            vars.push(v);
            count += go(loops, d + 1, n, vars, budget)?;
            vars.pop();
            let next = match l.step {
                Step::Add(x) => v + eval(x, n, vars),
                Step::Mul(k) => v * k,
                Step::Div(k) => v / k,
            };
            if next == v {
                // A loop that cannot advance (v *= k from 0, say) would never end.
                return None;
            }
            v = next;
        }
    }
    go(loops, 0, n, &mut Vec::new(), budget)
}

/// Loop steps the fit may spend, over all sizes.
const BUDGET: u64 = 3_000_000;

/// The base of the sizes measured: the nest's multiplier (or divisor), else 2. Measuring at powers
/// of the multiplier keeps the staircase of ⌈log_k n⌉ from aliasing with the sizes.
fn base(loops: &[Loop]) -> i64 {
    loops
        .iter()
        .find_map(|l| match l.step {
            Step::Mul(k) | Step::Div(k) => Some(k),
            Step::Add(_) => None,
        })
        .unwrap_or(2)
}

/// Counts at n = b^e for n from 16 up to 2^16 (b the [`base`]) while the budget lasts.
fn measure(loops: &[Loop]) -> Vec<(i64, u64)> {
    let b = base(loops).max(2);
    let mut budget = BUDGET;
    let mut points = Vec::new();
    let mut n = b;
    while n <= 1 << 16 {
        if n >= 16 {
            match execute(loops, n, &mut budget) {
                Some(c) => points.push((n, c)),
                None => break,
            }
        }
        n *= b;
    }
    points
}

/// The class whose ratio count/f(n) drifts least over the last three sizes.
fn fit(points: &[(i64, u64)]) -> Option<Class> {
    let tail = &points[points.len().checked_sub(3)?..];
    let drift = |c: Class| -> f64 {
        let r: Vec<f64> = tail
            .iter()
            .map(|&(n, k)| (k.max(1) as f64 / c.f(n as f64)).ln())
            .collect();
        r.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f64::max)
    };
    CLASSES
        .iter()
        .copied()
        .min_by(|a, b| drift(*a).total_cmp(&drift(*b)))
}

/// One shape: the loops, the class derived by hand, its derivation, and the misconceptions.
struct Shape {
    loops: Vec<Loop>,
    class: Class,
    why: String,
    wrong: Vec<(Class, String)>,
}

fn shape(name: &str, factor: i64, inner: i64, start: i64) -> Shape {
    use Cond::*;
    use Ex::*;
    let lin = |bound: Ex| Loop {
        init: Const(start),
        cond: Lt(bound),
        step: Step::Add(Const(1)),
    };
    let mul = |bound: Ex| Loop {
        init: Const(1),
        cond: Lt(bound),
        step: Step::Mul(factor),
    };
    let w = |c: Class, s: &str| (c, s.to_string());
    match name {
        "const_inner" => Shape {
            loops: vec![lin(N), lin(Const(inner))],
            class: Class::Linear,
            why: format!("The inner loop runs a fixed {} times, whatever n: {} × n runs, and constants drop out of Θ.", inner - start, inner - start),
            wrong: vec![
                w(Class::Quadratic, "Two nested loops are not automatically Θ(n²): the inner bound is a constant."),
                w(Class::Const, "The outer loop still runs n times."),
                w(Class::NLogN, "Nothing halves or doubles here; the inner loop is a constant factor."),
            ],
        },
        "triangle" => Shape {
            loops: vec![lin(N), Loop { init: Const(start), cond: Lt(Var(0)), step: Step::Add(Const(1)) }],
            class: Class::Quadratic,
            why: "The inner loop runs i times for each i: 0 + 1 + … + (n − 1) ≈ n²/2 runs. Halving n² is still Θ(n²).".into(),
            wrong: vec![
                w(Class::NLogN, "The inner loop is shorter on average, but on average it still runs about n/2 times: n · n/2 is quadratic."),
                w(Class::Linear, "The inner loop's length grows with i; the runs add up to about n²/2."),
                w(Class::Cubic, "There are only two nested loops, each at most n long."),
            ],
        },
        "halving" => Shape {
            loops: vec![Loop { init: N, cond: Gt(Const(0)), step: Step::Div(factor) }],
            class: Class::Log,
            why: format!("i is divided by {factor} each time, so it reaches 0 after about $log_{factor} n + 1$ steps: Θ(log n)."),
            wrong: vec![
                w(Class::Linear, "The loop does not step i down by 1; it divides i, so it ends after a logarithmic number of steps."),
                w(Class::Sqrt, "Square roots come from a condition like i * i <= n; repeated division gives a logarithm."),
                w(Class::Const, "The number of steps grows with n, slowly: log n."),
            ],
        },
        "n_log_n" => Shape {
            loops: vec![lin(N), mul(N)],
            class: Class::NLogN,
            why: format!("The inner loop multiplies j by {factor} until it reaches n: about $log_{factor} n$ runs, for each of the n outer runs: Θ(n log n)."),
            wrong: vec![
                w(Class::Quadratic, "The inner loop does not count to n one by one; it multiplies j, so it runs about log n times."),
                w(Class::Linear, "The inner loop's log n runs grow with n; they are not a constant factor."),
                w(Class::LogSq, "Only the inner loop is logarithmic; the outer loop runs n times."),
            ],
        },
        "sqrt" => Shape {
            loops: vec![Loop { init: Const(1), cond: SqLe(N), step: Step::Add(Const(1)) }],
            class: Class::Sqrt,
            why: "The loop stops once i² exceeds n, that is after ⌊√n⌋ runs: Θ(√n).".into(),
            wrong: vec![
                w(Class::Linear, "The condition compares i², not i, with n: the loop stops at √n."),
                w(Class::Log, "i grows by 1, not geometrically; it is i² that must reach n."),
                w(Class::Quadratic, "i * i is the test, not the number of runs."),
            ],
        },
        "geometric" => Shape {
            loops: vec![mul(N), Loop { init: Const(0), cond: Lt(Var(0)), step: Step::Add(Const(1)) }],
            class: Class::Linear,
            why: format!("The inner loop runs i times, and i takes the values 1, {factor}, {}, … below n. That geometric series sums to less than {} · n: Θ(n).", factor * factor, if factor == 2 { "2".to_string() } else { format!("{factor}/{}", factor - 1) }),
            wrong: vec![
                w(Class::NLogN, "log n outer runs times n inner runs overcounts: the inner loop runs only i times, and 1 + 2 + 4 + … < 2n."),
                w(Class::Quadratic, "The outer loop runs only log n times."),
                w(Class::Log, "Each outer run does i units of work, not one."),
            ],
        },
        "log_squared" => Shape {
            loops: vec![mul(N), mul(N)],
            class: Class::LogSq,
            why: format!("Both loops multiply by {factor} up to n: about $log_{factor} n$ runs each, so $(log n)^2$ in all."),
            wrong: vec![
                w(Class::Log, "The loops are nested, so their counts multiply: log n · log n."),
                w(Class::NLogN, "Neither loop counts up to n one by one."),
                w(Class::Linear, "Both loops are logarithmic."),
            ],
        },
        "harmonic" => Shape {
            loops: vec![
                Loop { init: Const(1), cond: Le(N), step: Step::Add(Const(1)) },
                Loop { init: Var(0), cond: Le(N), step: Step::Add(Var(0)) },
            ],
            class: Class::NLogN,
            why: "For each i the inner loop steps by i from i to n: ⌊n/i⌋ runs. $sum_i n / i = n H_n approx n ln n$: Θ(n log n), as in the sieve of Eratosthenes.".into(),
            wrong: vec![
                w(Class::Quadratic, "The inner loop steps by i, not by 1: it runs n/i times, and $sum_i n / i$ is $n H_n$."),
                w(Class::Linear, "The inner runs add up to n(1 + 1/2 + 1/3 + …), and the harmonic series grows like ln n."),
                w(Class::NSqrtN, "The sum is harmonic, n · H_n, not a square root."),
            ],
        },
        "n_sqrt_n" => Shape {
            loops: vec![lin(N), Loop { init: Const(1), cond: SqLe(Var(0)), step: Step::Add(Const(1)) }],
            class: Class::NSqrtN,
            why: "For each i the inner loop runs ⌊√i⌋ times; $sum_i sqrt(i) approx 2/3 n^(3/2)$: Θ(n√n).".into(),
            wrong: vec![
                w(Class::Quadratic, "The inner loop stops at √i, not at i."),
                w(Class::NLogN, "The inner loop grows like √i, which outgrows log i."),
                w(Class::Linear, "The inner loop's length grows with i."),
            ],
        },
        _ => Shape {
            loops: vec![
                lin(N),
                Loop { init: Const(start), cond: Lt(Var(0)), step: Step::Add(Const(1)) },
                Loop { init: Const(start), cond: Lt(Var(1)), step: Step::Add(Const(1)) },
            ],
            class: Class::Cubic,
            why: "k < j < i < n: the body runs once per triple, about C(n, 3) ≈ n³/6 times. Dividing by 6 does not change the class: Θ(n³).".into(),
            wrong: vec![
                w(Class::Quadratic, "Each loop is shorter than n, but the three counts still multiply: about n³/6."),
                w(Class::NLogN, "None of the loops is logarithmic."),
                w(Class::Linear, "Three nested loops whose bounds grow with n are at least quadratic."),
            ],
        },
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Scenario {
    shape: String,
    factor: i64,
    inner: i64,
    start: i64,
}

impl Family for Complexity {
    fn id(&self) -> &'static str {
        "optimization.complexity"
    }
    fn version(&self) -> u32 {
        2
    }
    fn topic(&self) -> Topic {
        Topic::Optimization
    }
    fn title(&self) -> &'static str {
        "Complexity: the growth class of a loop nest"
    }
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn asks(&self) -> &'static [Ask] {
        static ASKS: &[Ask] = &[Ask::new("", [2, 3, 5], &["asymptotic-analysis"])];
        ASKS
    }
    fn about(&self) -> About {
        About {
            asks:
                "the Θ-class of a loop nest (choice; geometric and harmonic sums among the traps)",
            key: "the loop description executed at growing n, growth fitted",
            second_route: "the class derived by hand for each shape",
        }
    }

    fn generate(&self, cx: &mut Ctx) -> Result<Question, GenError> {
        let name = cx.pick("shape");
        // Only the parameters the shape uses are drawn, so the parameters line shows no others.
        let factor = if matches!(name, "halving" | "n_log_n" | "geometric" | "log_squared") {
            cx.int("factor")
        } else {
            2
        };
        let inner = if name == "const_inner" {
            cx.int("inner")
        } else {
            0
        };
        let start = if matches!(
            name,
            "const_inner" | "triangle" | "n_log_n" | "n_sqrt_n" | "cubic"
        ) {
            cx.int("start")
        } else {
            0
        };
        if name == "const_inner" && inner <= start {
            return Err(GenError::Params {
                message: format!(
                    "inner = {inner} with start = {start} gives an inner loop that never runs"
                ),
                hint: "set inner above start".into(),
            });
        }
        let sh = shape(name, factor, inner, start);
        let points = measure(&sh.loops);
        let Some(class) = fit(&points) else {
            return Err(GenError::Run(format!(
                "the loop nest ran out of its step budget after {} sizes; the fit needs three",
                points.len()
            )));
        };
        let mut options: Vec<ChoiceOption> = std::iter::once(ChoiceOption::right(class.text()))
            .chain(
                sh.wrong
                    .iter()
                    .filter(|(c, _)| *c != class)
                    .map(|(c, why)| ChoiceOption::wrong(c.text(), why.clone())),
            )
            .collect();
        // Options in order of growth, the way a candidate would list them.
        options.sort_by_key(|o| CLASSES.iter().position(|c| c.text() == o.text));
        let correct = options
            .iter()
            .position(|o| o.why_wrong.is_none())
            .unwrap_or(0);
        let prompt = Content::new()
            .p("How does the number of calls to `work()` grow with n? Pick the tightest class.")
            .code("c", render(&sh.loops));
        let rows: Vec<[String; 3]> = points
            .iter()
            .map(|&(n, c)| {
                [
                    n.to_string(),
                    c.to_string(),
                    format!("{:.4}", c as f64 / class.f(n as f64)),
                ]
            })
            .collect();
        let evidence = Content::new()
            .p(format!(
                "The loop nest was executed at n = {} … {} (powers of {}, within a budget of {BUDGET} loop steps); the growth was fitted by the class whose ratio count/f(n) drifts least over the last three sizes.",
                points.first().map_or(0, |p| p.0),
                points.last().map_or(0, |p| p.0),
                base(&sh.loops)
            ))
            .table(["n", "calls to work()", format!("calls / {}", class.text().trim_start_matches("Θ(").trim_end_matches(')')).as_str()], rows);
        let solution = Content::new().p(format!("**{}**. {}", class.text(), sh.why));
        let sc = Scenario {
            shape: name.into(),
            factor,
            inner,
            start,
        };
        let mut q = Question::new(
            prompt,
            vec![AnswerSlot::new(
                "the growth class",
                Expected::Choice { options, correct },
            )],
            solution,
            evidence,
        )
        .with_scenario(&sc);
        if let [.., (n1, c1), (n2, c2)] = points[..] {
            q = q.followup(
                FollowUp::new(
                    format!("How would you check your answer by measuring? What happens to the count from n = {} to n = {}?", super::thousands(n1 as u64), super::thousands(n2 as u64)),
                    format!(
                        "Measured: {} calls, then {} ({}× for {}× the size); {} predicts {}×.",
                        super::thousands(c1),
                        super::thousands(c2),
                        crate::answer::fmt_sig(c2 as f64 / c1.max(1) as f64, 3),
                        n2 / n1.max(1),
                        class.text(),
                        crate::answer::fmt_sig(class.f(n2 as f64) / class.f(n1 as f64), 3)
                    ),
                )
                .point("time at two sizes, take the ratio, compare with each class's prediction"),
            );
        }
        q = q.followup(
            FollowUp::new(
                "Does the tightest class tell you which of two implementations is faster for your n?",
                "Not by itself: constants and lower-order terms decide at small n (a Θ(n log n) loop with a large constant can lose to Θ(n²) below some size); measure at the sizes you run.",
            )
            .point("Θ hides constants; cache behaviour often dominates them"),
        );
        Ok(q)
    }

    fn cross_check(&self, q: &Question, _cx: &mut Ctx) -> Result<(), CheckError> {
        let sc: Scenario = q.scenario()?;
        let Expected::Choice { options, correct } = q.expected(0)? else {
            return Err(CheckError("expected a choice".into()));
        };
        let derived = shape(&sc.shape, sc.factor, sc.inner, sc.start).class;
        CheckError::expect_eq(
            "the keyed class against the class derived by hand",
            options.get(*correct).map(|o| o.text.as_str()),
            Some(derived.text()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::stress;
    use crate::family::{generate, parse_pins, Difficulty};

    #[test]
    fn passes_the_stress_check() {
        stress(&Complexity, 0..30).unwrap();
    }

    #[test]
    fn every_shape_and_constant_fits_its_derived_class() {
        let ParamKind::Choice { options, .. } = PARAMS[0].kind else {
            panic!()
        };
        for name in options {
            for factor in 2..=4 {
                for (inner, start) in [(1, 0), (5, 1), (1000, 0)] {
                    let sh = shape(name, factor, inner, start);
                    let points = measure(&sh.loops);
                    assert!(
                        points.len() >= 4,
                        "{name} factor {factor}: only {} sizes",
                        points.len()
                    );
                    assert_eq!(
                        fit(&points),
                        Some(sh.class),
                        "{name} factor {factor} inner {inner} start {start}: {points:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn known_counts() {
        let count = |name: &str, n: i64| {
            execute(&shape(name, 2, 10, 0).loops, n, &mut u64::MAX.clone()).unwrap()
        };
        assert_eq!(count("triangle", 10), 45);
        assert_eq!(count("cubic", 10), 120);
        assert_eq!(count("sqrt", 100), 10);
        assert_eq!(count("halving", 16), 5); // 16, 8, 4, 2, 1
        assert_eq!(count("geometric", 16), 15); // 1 + 2 + 4 + 8
        assert_eq!(count("harmonic", 6), 14); // 6 + 3 + 2 + 1 + 1 + 1
    }

    #[test]
    fn the_code_reads_as_c() {
        let sh = shape("harmonic", 2, 10, 0);
        assert_eq!(
            render(&sh.loops),
            "for (i = 1; i <= n; i++)\n    for (j = i; j <= n; j += i)\n        work();"
        );
    }

    #[test]
    fn pins_are_used_and_the_check_catches_a_wrong_class() {
        let pins = parse_pins(&Complexity, &["shape=geometric".into()]).unwrap();
        let mut q = generate(&Complexity, 1, Difficulty::Hard, &pins).unwrap();
        let Expected::Choice { options, correct } = &mut q.slots[0].expected else {
            panic!()
        };
        assert_eq!(options[*correct].text, "Θ(n)");
        crate::family::cross_check(&Complexity, &q).unwrap();
        if let Expected::Choice { options, correct } = &mut q.slots[0].expected {
            *correct = options.iter().position(|o| o.text == "Θ(n log n)").unwrap();
        }
        assert!(crate::family::cross_check(&Complexity, &q).is_err());
    }
}
