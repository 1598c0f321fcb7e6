//! The self-check page (`--format selfcheck`): it holds no answers, and in a real browser (headless
//! Chromium, driven over the DevTools protocol) it grades typed answers exactly as `check` does.
//!
//! The browser tests need `chromium` on PATH. `.ci/run` installs it; on a machine without it they
//! print that they were skipped, except under `CI` (set to anything), where a missing browser fails
//! them (`crate::require`).

use crate::groundwork;
use groundwork::answer::{grade_slot, letter, Expected, Outcome};
use groundwork::content::{plain_spans, spans};
use groundwork::family::FAMILIES;
use groundwork::pack::Pack;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Specs with a section per family, so every family's answer kinds reach a page: two questions
/// per family, in packs of at most 40 families (a pack holds at most 100 questions).
fn every_family_specs() -> Vec<String> {
    FAMILIES
        .chunks(40)
        .enumerate()
        .map(|(c, chunk)| {
            let mut spec = format!("title = \"Every family, part {}\"\nseed = 7\n", c + 1);
            for (i, f) in chunk.iter().enumerate() {
                let d = ["easy", "medium", "hard"][(40 * c + i) % 3];
                spec.push_str(&format!(
                    "[[section]]\nfamilies = [\"{}\"]\ncount = 2\nrepeat = true\ndifficulty = \"{d}\"\n",
                    f.id()
                ));
            }
            spec
        })
        .collect()
}

/// Generates `selfcheck,html,json` for the default spec, or for `spec` when given.
fn generate(dir: &Path, spec: Option<&str>) -> Pack {
    let mut cmd = groundwork(dir);
    cmd.args(["generate", "--quiet", "--format", "selfcheck,html,json"]);
    if let Some(s) = spec {
        std::fs::write(dir.join("spec.toml"), s).unwrap();
        cmd.args(["--spec", "spec.toml"]);
    }
    cmd.assert().success();
    serde_json::from_slice(&std::fs::read(dir.join("pack/pack.json")).unwrap()).unwrap()
}

fn outcome_name(o: &Outcome) -> &'static str {
    match o {
        Outcome::Correct => "correct",
        Outcome::Partial { .. } => "partial",
        Outcome::Wrong { .. } => "wrong",
        Outcome::Invalid { .. } => "invalid",
    }
}

/// `page` without its `<script>…</script>` elements, and the elements' contents.
fn without_scripts(page: &str) -> (String, Vec<String>) {
    let (mut rest, mut out, mut code) = (page, String::new(), Vec::new());
    while let Some(open) = rest.find("<script") {
        let Some(close) = rest[open..].find("</script>") else {
            break;
        };
        out.push_str(&rest[..open]);
        // The element's content (its opening tag carries the pack code as data).
        let element = &rest[open..open + close];
        code.push(element.split_once('>').map_or("", |(_, c)| c).to_string());
        rest = &rest[open + close + "</script>".len()..];
    }
    out.push_str(rest);
    (out, code)
}

#[test]
fn the_page_holds_no_answers_solutions_or_evidence() {
    let mut scripts: Option<Vec<String>> = None;
    for spec in std::iter::once(None).chain(every_family_specs().into_iter().map(Some)) {
        let d = tempfile::tempdir().unwrap();
        let pack = generate(d.path(), spec.as_deref());
        let page = std::fs::read_to_string(d.path().join("pack/selfcheck.html")).unwrap();
        let paper = std::fs::read_to_string(d.path().join("pack/paper.html")).unwrap();

        // The embedded data is only structure, salts and 128-bit commitments.
        let start = page.find("id=\"gw-data\">").expect("data element") + 13;
        let end = start + page[start..].find("</script>").unwrap();
        let data: Value = serde_json::from_str(&page[start..end]).unwrap();
        let slots = data.as_array().unwrap();
        assert_eq!(
            slots.len(),
            pack.questions.iter().map(|q| q.slots.len()).sum::<usize>()
        );
        let is_hex = |v: &Value, n: usize| {
            v.as_str()
                .is_some_and(|s| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        let expected: Vec<_> = pack.questions.iter().flat_map(|q| &q.slots).collect();
        for (s, slot) in slots.iter().zip(&expected) {
            for (k, v) in s.as_object().unwrap() {
                match k.as_str() {
                    "id" | "kind" | "format" | "norm" | "rule" | "exp" | "options" => {}
                    "share" => assert!(v.is_number(), "{v}"),
                    "salt" => assert!(is_hex(v, 16), "{v}"),
                    "accept" | "parts" => {
                        assert!(v.as_array().unwrap().iter().all(|c| is_hex(c, 32)), "{v}")
                    }
                    "why" | "unit" | "ask" => {}
                    other => panic!("unexpected field `{other}` in the page data"),
                }
            }
            // The misconception feedback: one ciphertext per option, every one of the same
            // length, all different, none all zeros, so neither the presence nor the length of
            // feedback singles out the right option (or a wrong one without feedback).
            if let Some(options) = slot.expected.options() {
                let why: Vec<&str> = s["why"]
                    .as_array()
                    .expect("a choice slot carries feedback ciphertexts")
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect();
                assert_eq!(why.len(), options.len(), "{}", s["id"]);
                let len = why[0].len();
                assert!(len >= 64 && len.is_multiple_of(64), "{}: {len}", s["id"]);
                assert!(why.iter().all(|c| is_hex(&json!(c), len)), "{}", s["id"]);
                let distinct: BTreeSet<&str> = why.iter().copied().collect();
                assert_eq!(distinct.len(), why.len(), "{}", s["id"]);
                assert!(why.iter().all(|c| c.bytes().any(|b| b != b'0')));
                // Enough room for the longest feedback: a page that dropped it would show none.
                let longest = options
                    .iter()
                    .filter_map(|o| o.why_wrong.as_ref())
                    .map(|w| plain_spans(&spans(w)).len())
                    .max()
                    .unwrap_or(0);
                assert!(len / 2 >= longest, "{}", s["id"]);
            } else {
                assert!(s.get("why").is_none(), "{}", s["id"]);
            }
        }

        // Outside the data (whose hex could contain any short digit string by chance), no
        // reference answer appears on the page unless the paper itself shows it (a number quoted
        // in the prompt), and no worked solution does.
        let page = format!("{}{}", &page[..start], &page[end..]);
        // The page's own scripts are the template's code, the same for every pack (checked
        // here), so a number in them (`1000` ms in the timer) is not an answer.
        let (page, code) = without_scripts(&page);
        match &scripts {
            None => scripts = Some(code),
            Some(first) => assert_eq!(first, &code, "the page's scripts depend on the pack"),
        }
        for (qi, q) in pack.questions.iter().enumerate() {
            for slot in &q.slots {
                let r = slot.expected.reference();
                if r.len() >= 4 {
                    assert!(
                        !page.contains(&r) || paper.contains(&r),
                        "question {}: the reference `{r}` is on the self-check page",
                        qi + 1
                    );
                }
            }
            // Option feedback names the misconception behind each wrong option: shown on the page
            // it would mark every option it is attached to as wrong.
            for slot in &q.slots {
                for o in slot.expected.options().unwrap_or_default() {
                    if let Some(why) = &o.why_wrong {
                        let probe: String = why.chars().take(40).collect();
                        assert!(
                            probe.chars().count() < 20 || !page.contains(&probe),
                            "question {}: option feedback `{probe}` is on the page",
                            qi + 1
                        );
                    }
                }
            }
            let solution = q.solution.plain_text();
            let probe: String = solution.chars().take(60).collect();
            assert!(
                probe.len() < 30 || !page.contains(&probe),
                "question {}: the worked solution is on the page",
                qi + 1
            );
        }
    }
}

/// Headless Chromium driven over the DevTools protocol: just enough to open a page, type, click
/// and read the DOM.
pub(crate) struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    session: Option<String>,
    /// Console errors and uncaught exceptions seen in the page (after `open_watching`).
    errors: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium, or returns None (test skipped) when it is missing outside CI.
    pub(crate) fn launch() -> Option<Browser> {
        let exe = ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .find(|e| {
                Command::new(e)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            });
        let Some(exe) = exe else {
            crate::require("chromium on PATH", false, "apt-get install -y chromium");
            return None;
        };
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        // Chromium prints the DevTools address on stderr; keep draining it so it never blocks.
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium printed its DevTools address");
        let (ws, _) = tungstenite::connect(url.as_str()).expect("DevTools websocket");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        }
        Some(Browser {
            child,
            ws,
            next: 0,
            session: None,
            errors: Vec::new(),
            _profile: profile,
        })
    }

    /// Sends one DevTools command and waits for its reply (events in between are ignored).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let mut msg = json!({"id": self.next, "method": method, "params": params});
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let Message::Text(t) = self.ws.read().expect("DevTools reply") else {
                continue;
            };
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            let p = &v["params"];
            match v["method"].as_str() {
                Some("Runtime.exceptionThrown") => self
                    .errors
                    .push(format!("uncaught: {}", p["exceptionDetails"])),
                Some("Runtime.consoleAPICalled")
                    if matches!(p["type"].as_str(), Some("error" | "assert")) =>
                {
                    self.errors.push(format!("console.error: {}", p["args"]))
                }
                Some("Log.entryAdded") if p["entry"]["level"] == "error" => {
                    self.errors.push(format!("log: {}", p["entry"]["text"]))
                }
                _ => {}
            }
            if v["id"] == json!(self.next) {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Opens `path` in a new tab, attaches to it, and waits until `ready` (a JavaScript
    /// expression) is true.
    pub(crate) fn open_when(&mut self, path: &Path, ready: &str) {
        let url = format!("file://{}", path.display());
        let target = self.call("Target.createTarget", json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        self.wait_for(ready, "the page script to load");
    }

    /// Opens `path` in a new tab with the console watched from before the page loads, and waits
    /// until `ready` is true. [`Browser::console_errors`] then lists what went wrong.
    pub(crate) fn open_watching(&mut self, path: &Path, ready: &str) {
        let target = self.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
            self.call(domain, json!({}));
        }
        let url = format!("file://{}", path.display());
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(ready, "the page script to load");
    }

    /// Reloads the page and waits until `ready` is true in the new document.
    fn reload(&mut self, ready: &str) {
        self.eval("window.__before_reload = true");
        self.call("Page.reload", json!({}));
        self.wait_for(
            &format!("!window.__before_reload && ({ready})"),
            "the reloaded page",
        );
    }

    /// Console errors and uncaught exceptions so far (pending events read first).
    pub(crate) fn console_errors(&mut self) -> Vec<String> {
        self.eval("true");
        self.errors.clone()
    }

    /// Opens `path` in a new tab and attaches to it.
    fn open(&mut self, path: &Path) {
        let url = format!("file://{}", path.display());
        let target = self.call("Target.createTarget", json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        self.wait_for(
            "typeof window.groundworkGrade === 'function'",
            "the page script to load",
        );
    }

    /// Evaluates `expr` in the page (awaiting a promise) and returns its value.
    pub(crate) fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "awaitPromise": true, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Polls `expr` until it is true.
    fn wait_for(&mut self, expr: &str, what: &str) {
        let start = Instant::now();
        while self.eval(expr) != json!(true) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `text` into slot `id`'s input as keystrokes would, clicks its question's Check
    /// button, and returns the feedback's outcome and text.
    fn type_and_check(&mut self, id: &str, question: usize, text: &str) -> (String, String) {
        self.eval(&format!(
            "(() => {{ const el = document.getElementById('in-{id}'); el.value = ''; el.focus(); \
             document.getElementById('fb-{id}').dataset.outcome = ''; return true; }})()"
        ));
        self.call("Input.insertText", json!({"text": text}));
        self.click_check(id, question)
    }

    fn click_check(&mut self, id: &str, question: usize) -> (String, String) {
        self.eval(&format!(
            "document.querySelector('button.check[data-question=\"{question}\"]').click()"
        ));
        self.wait_for(
            &format!("document.getElementById('fb-{id}').dataset.outcome !== ''"),
            "feedback",
        );
        let v = self.eval(&format!(
            "(() => {{ const f = document.getElementById('fb-{id}'); return [f.dataset.outcome, f.textContent]; }})()"
        ));
        (
            v[0].as_str().unwrap().to_string(),
            v[1].as_str().unwrap().to_string(),
        )
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn typing_a_right_and_a_wrong_answer_in_chromium_gives_the_right_feedback() {
    let d = tempfile::tempdir().unwrap();
    let pack = generate(d.path(), None);
    let Some(mut b) = Browser::launch() else {
        return;
    };
    b.open(&d.path().join("pack/selfcheck.html"));

    let mut typed_kinds = Vec::new();
    for (qi, q) in pack.questions.iter().enumerate() {
        for slot in &q.slots {
            let id = format!("{}{}", qi + 1, slot.label);
            let e = &slot.expected;
            if let Some(options) = e.options() {
                // Click the right option(s), then a wrong pick.
                let right = e.reference();
                let pick = |b: &mut Browser, letters: &str| {
                    b.eval(&format!(
                        "(() => {{ document.querySelectorAll('#in-{id} input').forEach(i => \
                         {{ if (i.checked !== '{letters}'.split(',').includes(i.value)) i.click(); }}); \
                         document.getElementById('fb-{id}').dataset.outcome = ''; return true; }})()"
                    ));
                    b.click_check(&id, qi + 1)
                };
                let (o, text) = pick(&mut b, &right);
                assert_eq!(o, "correct", "{id} picking {right}: {text}");
                let wrong = e.near_miss();
                let (o, text) = pick(&mut b, &wrong);
                assert_ne!(o, "correct", "{id} picking {wrong}: {text}");
                assert!(options.len() >= 2);
                continue;
            }
            let (o, text) = b.type_and_check(&id, qi + 1, &e.reference());
            assert_eq!(o, "correct", "{id}: typing `{}` gave {text}", e.reference());
            assert!(text.contains("Correct"), "{text}");
            let miss = e.near_miss();
            let (o, text) = b.type_and_check(&id, qi + 1, &miss);
            assert_eq!(o, "wrong", "{id}: typing `{miss}` gave {text}");
            let (o, text) = b.type_and_check(&id, qi + 1, "");
            assert_eq!(o, "invalid", "{id}: an empty answer gave {text}");
            typed_kinds.push(serde_json::to_value(e).unwrap()["kind"].clone());
        }
    }
    assert!(
        typed_kinds.len() >= 4,
        "the sample has typed answers: {typed_kinds:?}"
    );

    // "Check all" scores the whole page.
    b.eval("document.getElementById('check-all').click()");
    b.wait_for(
        "document.getElementById('score').textContent !== ''",
        "the score",
    );
    // The last thing typed in each box was nothing: no points, every part unanswered.
    let score = b.eval("document.getElementById('score').textContent");
    let total: u32 = pack.questions.iter().map(|q| q.points).sum();
    let slots: usize = pack.questions.iter().map(|q| q.slots.len()).sum();
    let score = score.as_str().unwrap();
    assert!(
        score.starts_with(&format!("Score: 0 of {total} points")),
        "{score}"
    );
    assert!(score.ends_with(&format!("{slots} unanswered")), "{score}");
}

#[test]
fn the_page_grades_like_check_for_every_family() {
    let mut partial = 0;
    let mut launched = false;
    for spec in every_family_specs() {
        if let Some(p) = grades_like_check(&spec) {
            partial += p;
            launched = true;
        }
    }
    // The random answer sets reach partial credit somewhere, so the page's rule is compared too.
    assert!(
        !launched || partial > 0,
        "no answer set earned partial credit"
    );
}

/// Every slot of the pack `spec` makes, graded by the page in Chromium and by `check`'s grader;
/// then the page's total for random answer sets against `check`'s. Returns how many parts earned
/// partial credit in those sets (None when Chromium is missing).
fn grades_like_check(spec: &str) -> Option<u64> {
    let d = tempfile::tempdir().unwrap();
    let pack = generate(d.path(), Some(spec));
    let mut b = Browser::launch()?;
    b.open(&d.path().join("pack/selfcheck.html"));
    // For every slot: the reference, reformatted references, a near miss, and garbage.
    let mut cases = Vec::new();
    for (qi, q) in pack.questions.iter().enumerate() {
        for slot in &q.slots {
            let id = format!("{}{}", qi + 1, slot.label);
            let r = slot.expected.reference();
            let mut inputs = vec![
                r.clone(),
                format!("  {r} "),
                r.to_lowercase(),
                r.to_uppercase(),
                slot.expected.near_miss(),
                "\u{2603} what?".to_string(),
                "12/0".to_string(),
                "0x1f".to_string(),
                "A,B".to_string(),
                "c a".to_string(),
                "(c)".to_string(),
                "D.".to_string(),
                "0".to_string(),
                "-enoent".to_string(),
                "Success".to_string(),
                "1,000".to_string(),
                "3/8".to_string(),
                "12.5%".to_string(),
                "1e400".to_string(),
                "0, 0x10, 1_000".to_string(),
            ];
            if let Ok(v) = r.parse::<f64>() {
                inputs.push(format!("{v:e}"));
                inputs.push(format!("{}%", v * 100.0));
            }
            // Unit words: the slot's unit, a word of its ask, other words.
            let miss = slot.expected.near_miss();
            let ask = plain_spans(&spans(&slot.ask));
            let word = ask.split(' ').next_back().unwrap_or("").to_string();
            for w in [
                slot.unit.as_str(),
                &word,
                "ms",
                "seconds",
                "bananas",
                "the",
                "x/s.",
            ] {
                inputs.push(format!("{r} {w}"));
                inputs.push(format!("{r}{w}"));
                inputs.push(format!("{miss} {w}"));
            }
            for input in inputs {
                let want = outcome_name(&grade_slot(slot, &input));
                cases.push((id.clone(), input, want));
            }
        }
    }
    let script = format!(
        "Promise.all({}.map(([id, input]) => window.groundworkGrade(id, input).then(r => r.outcome)))",
        serde_json::to_string(&cases.iter().map(|(i, s, _)| (i, s)).collect::<Vec<_>>()).unwrap()
    );
    let got = b.eval(&script);
    let got = got.as_array().expect("an outcome per case");
    assert_eq!(got.len(), cases.len());
    let mismatches: Vec<String> = cases
        .iter()
        .zip(got)
        .filter(|((_, _, want), got)| got.as_str() != Some(want))
        .map(|((id, input, want), got)| {
            format!("{id} `{input}`: check says {want}, page says {got}")
        })
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );

    Some(
        (0..4)
            .map(|set| points_like_check(&mut b, d.path(), &pack, set))
            .sum(),
    )
}

/// A seeded random answer for every slot, of one of five kinds: right, a near miss, a wrong
/// option (or another well-formed miss), garbage (a random pick for option slots, which cannot
/// hold garbage), or blank (missing from the file or empty). Labels map to answers.
fn random_answers(pack: &Pack, seed: u64) -> BTreeMap<String, String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = BTreeMap::new();
    for (qi, q) in pack.questions.iter().enumerate() {
        for slot in &q.slots {
            let id = format!("{}{}", qi + 1, slot.label);
            let e = &slot.expected;
            let random_pick = |rng: &mut ChaCha8Rng| match e {
                Expected::Choice { options, .. } => {
                    letter(rng.random_range(0..options.len())).to_string()
                }
                Expected::Multi { options, .. } => {
                    let picks: Vec<String> = (0..options.len())
                        .filter(|_| rng.random_bool(0.5))
                        .map(|i| letter(i).to_string())
                        .collect();
                    if picks.is_empty() {
                        "A".into()
                    } else {
                        picks.join(",")
                    }
                }
                _ => ["\u{2603} what?", "n/a", "twelve", "0x"][rng.random_range(0..4)].to_string(),
            };
            let answer = match rng.random_range(0..5) {
                0 => e.reference(),
                1 => e.near_miss(),
                2 => match e {
                    Expected::Choice { options, correct } => {
                        let wrong: Vec<usize> =
                            (0..options.len()).filter(|i| i != correct).collect();
                        letter(wrong[rng.random_range(0..wrong.len())]).to_string()
                    }
                    Expected::Multi { .. } => random_pick(&mut rng),
                    _ => e.near_misses().last().unwrap().clone(),
                },
                3 => random_pick(&mut rng),
                _ => {
                    if rng.random_bool(0.5) {
                        continue;
                    }
                    String::new()
                }
            };
            out.insert(id, answer);
        }
    }
    out
}

/// The page's "Check all" total and tallies against `check --format json` for one random
/// answer set typed into the page. Returns how many parts `check` gave partial credit.
fn points_like_check(b: &mut Browser, dir: &Path, pack: &Pack, seed: u64) -> u64 {
    let answers = random_answers(pack, seed);
    std::fs::write(
        dir.join("answers.json"),
        serde_json::to_string(&answers).unwrap(),
    )
    .unwrap();
    let out = groundwork(dir)
        .args([
            "check",
            "pack/pack.json",
            "answers.json",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &report["counts"];
    let want = format!(
        "Score: {} of {} points ({:.1}%) \u{b7} {} correct, {} partial, {} wrong, {} invalid, {} unanswered",
        report["score"].as_f64().unwrap(),
        report["total"],
        100.0 * report["score"].as_f64().unwrap() / report["total"].as_f64().unwrap(),
        c["correct"],
        c["partial"],
        c["wrong"],
        c["invalid"],
        c["unanswered"]
    );
    b.eval(&format!(
        "((answers) => {{ document.querySelectorAll('.part').forEach(p => {{ \
           const id = p.dataset.slot, v = answers[id] ?? '', el = document.getElementById('in-' + id); \
           if (el.tagName === 'INPUT') el.value = v; \
           else el.querySelectorAll('input').forEach(x => {{ x.checked = v.split(',').includes(x.value); }}); }}); \
         document.getElementById('score').textContent = ''; \
         document.getElementById('check-all').click(); return true; }})({})",
        serde_json::to_string(&answers).unwrap()
    ));
    b.wait_for(
        "document.getElementById('score').textContent !== ''",
        "the score",
    );
    let got = b.eval("document.getElementById('score').textContent");
    assert_eq!(
        got.as_str().unwrap(),
        want,
        "answer set {seed}: {answers:?}"
    );
    c["partial"].as_u64().unwrap()
}

/// A small pack with typed answers, a single-choice and a multiple-choice question.
const MIXED_SPEC: &str = r#"title = "Mixed kinds"
seed = 7
[[section]]
families = ["hashing.birthday"]
count = 1
[[section]]
families = ["hashing.rendezvous"]
count = 1
[[section]]
families = ["optimization.cache_policy"]
count = 1
[[section]]
families = ["hashing.consistent_ring"]
count = 1
"#;

#[test]
fn in_chromium_the_page_counts_points_explains_a_wrong_option_and_keeps_answers_across_a_reload() {
    let d = tempfile::tempdir().unwrap();
    let pack = generate(d.path(), Some(MIXED_SPEC));
    let Some(mut b) = Browser::launch() else {
        return;
    };
    let ready = "typeof window.groundworkGrade === 'function'";
    b.open_watching(&d.path().join("pack/selfcheck.html"), ready);

    // Question A: every part typed right. Slot C: a wrong option with a misconception, clicked.
    let (qa, a) = pack
        .questions
        .iter()
        .enumerate()
        .find(|(_, q)| q.slots.iter().all(|s| s.expected.options().is_none()))
        .expect("a question with typed answers");
    let (qc, c, wrong, why) = pack
        .questions
        .iter()
        .enumerate()
        .flat_map(|(qi, q)| q.slots.iter().map(move |s| (qi, s)))
        .find_map(|(qi, s)| match &s.expected {
            Expected::Choice { options, correct } => options
                .iter()
                .enumerate()
                .find(|(i, o)| i != correct && o.why_wrong.is_some())
                .map(|(i, o)| (qi, s, i, o.why_wrong.clone().unwrap())),
            _ => None,
        })
        .expect("a single-choice part with a misconception");
    let c_id = format!("{}{}", qc + 1, c.label);
    let mut typed = Vec::new();
    for s in &a.slots {
        let id = format!("{}{}", qa + 1, s.label);
        b.eval(&format!(
            "(() => {{ document.getElementById('in-{id}').focus(); return true; }})()"
        ));
        b.call("Input.insertText", json!({"text": s.expected.reference()}));
        typed.push((id, s.expected.reference()));
    }
    b.eval(&format!(
        "document.querySelector('#in-{c_id} input[value=\"{}\"]').click()",
        letter(wrong)
    ));

    // The total counts points: question A's, out of the pack's, every other part unanswered.
    let slots: usize = pack.questions.iter().map(|q| q.slots.len()).sum();
    b.eval("document.getElementById('check-all').click()");
    b.wait_for(
        "document.getElementById('score').textContent !== ''",
        "the score",
    );
    let score = b.eval("document.getElementById('score').textContent");
    let score = score.as_str().unwrap();
    let total: u32 = pack.questions.iter().map(|q| q.points).sum();
    assert!(
        score.starts_with(&format!("Score: {} of {total} points", a.points)),
        "{score}"
    );
    assert!(
        score.contains(&format!(
            "{} correct, 0 partial, 1 wrong, 0 invalid, {} unanswered",
            a.slots.len(),
            slots - a.slots.len() - 1
        )),
        "{score}"
    );

    // The wrong option's feedback is its misconception, as `check` gives it.
    let fb = b.eval(&format!("document.getElementById('fb-{c_id}').textContent"));
    let fb = fb.as_str().unwrap();
    let why = plain_spans(&spans(&why));
    assert!(fb.contains(&why), "feedback `{fb}` lacks `{why}`");
    assert!(fb.contains(&format!("Option {}", letter(wrong))), "{fb}");

    // In a multiple-choice part too: a wrong pick names its misconception.
    let (qm, m, mwrong, mwhy) = pack
        .questions
        .iter()
        .enumerate()
        .flat_map(|(qi, q)| q.slots.iter().map(move |s| (qi, s)))
        .find_map(|(qi, s)| match &s.expected {
            Expected::Multi {
                options, correct, ..
            } => options
                .iter()
                .enumerate()
                .find(|(i, o)| !correct.contains(i) && o.why_wrong.is_some())
                .map(|(i, o)| (qi, s, i, o.why_wrong.clone().unwrap())),
            _ => None,
        })
        .expect("a multiple-choice part with a misconception");
    let m_id = format!("{}{}", qm + 1, m.label);
    b.eval(&format!(
        "(() => {{ document.querySelector('#in-{m_id} input[value=\"{}\"]').click(); \
         document.getElementById('fb-{m_id}').dataset.outcome = ''; return true; }})()",
        letter(mwrong)
    ));
    let (_, text) = b.click_check(&m_id, qm + 1);
    let mwhy = plain_spans(&spans(&mwhy));
    assert!(
        text.contains(&format!(
            "{} is not right: {}",
            letter(mwrong),
            mwhy.trim_end_matches('.')
        )),
        "feedback `{text}` lacks `{mwhy}`"
    );

    // The timer starts when asked and shows minutes and seconds.
    b.eval("document.getElementById('timer-toggle').click()");
    b.wait_for(
        "/^00:0[1-9]$/.test(document.getElementById('timer').textContent)",
        "the timer to count",
    );

    // A reload keeps the answers (and the running timer), not the score. The page saved them
    // (checked first, in its storage), and the reloaded page shows them again (waited for: under
    // load, headless Chromium can hand the storage to the new document a moment late).
    for (id, answer) in &typed {
        b.wait_for(
            &format!(
                "Object.keys(localStorage).some(k => k.startsWith('groundwork-selfcheck:') &&                  (JSON.parse(localStorage.getItem(k)).answers || {{}})['{id}'] === {})",
                json!(answer)
            ),
            &format!("the page to save {id}"),
        );
    }
    b.reload(ready);
    for (id, answer) in &typed {
        b.wait_for(
            &format!(
                "document.getElementById('in-{id}').value === {}",
                json!(answer)
            ),
            &format!("{id} to come back after a reload"),
        );
    }
    let picked = format!(
        "Array.from(document.querySelectorAll('#in-{c_id} input:checked'), x => x.value).join(',')"
    );
    assert_eq!(b.eval(&picked), json!(letter(wrong).to_string()));
    assert_eq!(
        b.eval("document.getElementById('score').textContent"),
        json!("")
    );
    assert_eq!(
        b.eval("[document.getElementById('timer').hidden, document.getElementById('timer-toggle').textContent]"),
        json!([false, "Stop timer"])
    );

    // Clear empties the fields, and a reload brings nothing back.
    b.eval("document.getElementById('clear').click()");
    let filled = "Array.from(document.querySelectorAll('input.answer-input')).filter(x => x.value !== '').length \
                  + document.querySelectorAll('ol.pick input:checked').length";
    assert_eq!(b.eval(filled), json!(0));
    b.reload(ready);
    assert_eq!(b.eval(filled), json!(0));
    assert_eq!(
        b.eval("document.getElementById('timer').hidden"),
        json!(true)
    );

    let errors = b.console_errors();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}
