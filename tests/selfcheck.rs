//! The self-check page (`--format selfcheck`): it holds no answers, and in a real browser (headless
//! Chromium, driven over the DevTools protocol) it grades typed answers exactly as `check` does.
//!
//! The browser tests need `chromium` on PATH. `.ci/run` installs it; on a machine without it they
//! print that they were skipped, except under `CI` (set to anything), where a missing browser fails
//! them (`crate::require`).

use crate::groundwork;
use groundwork::answer::{grade, Outcome};
use groundwork::family::FAMILIES;
use groundwork::pack::Pack;
use serde_json::{json, Value};
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

#[test]
fn the_page_holds_no_answers_solutions_or_evidence() {
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
        for s in slots {
            for (k, v) in s.as_object().unwrap() {
                match k.as_str() {
                    "id" | "kind" | "format" | "norm" | "rule" | "exp" | "options" => {}
                    "salt" => assert!(is_hex(v, 16), "{v}"),
                    "accept" | "parts" => {
                        assert!(v.as_array().unwrap().iter().all(|c| is_hex(c, 32)), "{v}")
                    }
                    other => panic!("unexpected field `{other}` in the page data"),
                }
            }
        }

        // Outside the data (whose hex could contain any short digit string by chance), no
        // reference answer appears on the page unless the paper itself shows it (a number quoted
        // in the prompt), and no worked solution does.
        let page = format!("{}{}", &page[..start], &page[end..]);
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
    let score = b.eval("document.getElementById('score').textContent");
    assert!(
        score.as_str().unwrap().contains("answers correct"),
        "{score}"
    );
}

#[test]
fn the_page_grades_like_check_for_every_family() {
    for spec in every_family_specs() {
        grades_like_check(&spec);
    }
}

/// Every slot of the pack `spec` makes, graded by the page in Chromium and by `check`'s grader.
fn grades_like_check(spec: &str) {
    let d = tempfile::tempdir().unwrap();
    let pack = generate(d.path(), Some(spec));
    let Some(mut b) = Browser::launch() else {
        return;
    };
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
            for input in inputs {
                let want = outcome_name(&grade(&slot.expected, &input));
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
}
