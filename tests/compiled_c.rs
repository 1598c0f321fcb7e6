//! The C a filesystem question shows, compiled with `cc` and run: a third route, independent of
//! both the rustix syscalls that make the key and the POSIX model that checks it. Every family
//! whose scenario is an operation list is generated over several seeds and difficulties; the
//! rendered lines are compiled almost verbatim (only `int ` before a descriptor and the final `;`
//! are dropped, so each call's value can be kept), run in a scratch directory, and each call's
//! return value, errno, bytes and stat fields must equal what the syscall run saw. Where the
//! question marks calls, the C program's own results, written as a candidate would, must grade
//! correct against every slot. Skipped with a marker without a compiler, required under `CI`.

use groundwork::answer::grade;
use groundwork::family::filesystem::fsops::{self, Kind, Op, Outcome, START_UMASK};
use groundwork::family::filesystem::fsquiz::{Probe, What};
use groundwork::family::{generate, Difficulty, Pins, Question, Topic, FAMILIES};
use std::fmt::Write as _;
use std::process::Command;

/// One question's operation list, and its marked calls when it has them.
struct Case {
    at: String,
    q: Question,
    ops: Vec<Op>,
    probes: Vec<Probe>,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for f in FAMILIES.iter().filter(|f| f.topic() == Topic::Filesystem) {
        for d in Difficulty::ALL {
            for seed in 0..4 {
                let q = generate(*f, seed, d, &Pins::new()).unwrap();
                let Some(ops) = q.scenario.get("ops") else {
                    continue;
                };
                let ops: Vec<Op> = serde_json::from_value(ops.clone()).unwrap();
                // A multi-megabyte write would be a multi-megabyte string literal; those lists
                // are covered by the model and the syscalls alone.
                if ops.iter().any(|o| matches!(o, Op::Write { data, .. } | Op::Pwrite { data, .. } if data.len() > 20_000)) {
                    continue;
                }
                let probes: Vec<Probe> = q
                    .scenario
                    .get("probes")
                    .map(|p| serde_json::from_value(p.clone()).unwrap())
                    .unwrap_or_default();
                out.push(Case {
                    at: format!("{} {d} seed {seed}", f.id()),
                    q,
                    ops,
                    probes,
                });
            }
        }
    }
    out
}

/// What to print after a call: its bytes (reads, readlink) or its stat fields.
fn report_kind(op: &Op) -> &'static str {
    match op {
        Op::Read { .. } | Op::Pread { .. } | Op::Readlink { .. } => "data",
        Op::Stat { .. } | Op::Fstat { .. } | Op::Lstat { .. } => "stat",
        _ => "none",
    }
}

/// The C program: one function per case, running its rendered lines in order.
fn program(cases: &[Case]) -> String {
    let mut c = String::from(
        r#"#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static char buf[1 << 16];
static struct stat st;

static const char *name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT"; case EEXIST: return "EEXIST"; case EBADF: return "EBADF";
    case EISDIR: return "EISDIR"; case ENOTDIR: return "ENOTDIR"; case ENOTEMPTY: return "ENOTEMPTY";
    case EINVAL: return "EINVAL"; case ELOOP: return "ELOOP"; case EACCES: return "EACCES";
    case EPERM: return "EPERM"; case EXDEV: return "EXDEV"; case ENAMETOOLONG: return "ENAMETOOLONG";
    case ESPIPE: return "ESPIPE"; default: return "EOTHER";
    }
}

static void report(int i, long r, int e, const char *kind) {
    printf("%d %ld %s", i, r, r < 0 ? name(e) : "OK");
    if (r >= 0 && strcmp(kind, "data") == 0) {
        printf(" D ");
        for (long k = 0; k < r; k++) printf("%02x", (unsigned char)buf[k]);
    }
    if (r >= 0 && strcmp(kind, "stat") == 0) {
        const char *t = S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : "file";
        printf(" S %lld %lld %o %s", (long long)st.st_size, (long long)st.st_nlink, (unsigned)(st.st_mode & 07777), t);
    }
    printf("\n");
}
"#,
    );
    for (k, case) in cases.iter().enumerate() {
        let _ = writeln!(c, "static void case_{k}(void) {{");
        let _ = writeln!(c, "    int fd = -1, fd2 = -1, fd3 = -1, fd4 = -1, fd5 = -1, fd6 = -1, fd7 = -1, fd8 = -1, fd9 = -1;");
        let _ = writeln!(c, "    long r;");
        let _ = writeln!(c, "    (void)fd; (void)fd2; (void)fd3; (void)fd4; (void)fd5; (void)fd6; (void)fd7; (void)fd8; (void)fd9;");
        for (i, (line, op)) in fsops::render_lines(&case.ops)
            .iter()
            .zip(&case.ops)
            .enumerate()
        {
            let expr = line.trim_end_matches(';').trim_start_matches("int ");
            let _ = writeln!(
                c,
                "    errno = 0; memset(&st, 0, sizeof st); memset(buf, 0, sizeof buf);"
            );
            let _ = writeln!(c, "    r = (long)({expr});");
            let _ = writeln!(c, "    report({i}, r, errno, \"{}\");", report_kind(op));
        }
        let _ = writeln!(c, "}}");
    }
    c.push_str("int main(int argc, char **argv) {\n    if (argc < 2) return 2;\n");
    let _ = writeln!(c, "    umask(0{START_UMASK:o});");
    c.push_str("    switch (atoi(argv[1])) {\n");
    for k in 0..cases.len() {
        let _ = writeln!(c, "    case {k}: case_{k}(); break;");
    }
    c.push_str("    default: return 2;\n    }\n    return 0;\n}\n");
    c
}

/// One call's results as the C program printed them.
#[derive(Debug, PartialEq)]
struct Seen {
    ret: i64,
    errno: Option<String>,
    data: Option<Vec<u8>>,
    stat: Option<(u64, u64, u32, String)>,
}

fn parse(line: &str) -> Seen {
    let parts: Vec<&str> = line.split_whitespace().collect();
    let ret: i64 = parts[1].parse().unwrap();
    let errno = (parts[2] != "OK").then(|| parts[2].to_string());
    let mut data = None;
    let mut stat = None;
    match parts.get(3) {
        Some(&"D") => {
            let hex = parts.get(4).copied().unwrap_or("");
            data = Some(
                (0..hex.len() / 2)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                    .collect(),
            );
        }
        Some(&"S") => {
            stat = Some((
                parts[4].parse().unwrap(),
                parts[5].parse().unwrap(),
                u32::from_str_radix(parts[6], 8).unwrap(),
                parts[7].to_string(),
            ))
        }
        _ => {}
    }
    Seen {
        ret,
        errno,
        data,
        stat,
    }
}

/// The C results and the syscall run agree on one call.
fn agrees(op: &Op, c: &Seen, real: &Outcome) -> bool {
    // A new descriptor's number is not asked; the syscall run records 0 for it.
    let ret = match op {
        Op::Open { .. } | Op::Dup { .. } if c.ret >= 0 => 0,
        _ => c.ret,
    };
    if ret != real.ret || c.errno != real.errno {
        return false;
    }
    if let Some(d) = &real.data {
        if c.data.as_ref() != Some(d) {
            return false;
        }
    }
    if let Some((mode, kind)) = real.mode {
        let Some((size, nlink, c_mode, c_kind)) = &c.stat else {
            return false;
        };
        let kind_name = match kind {
            Kind::File => "file",
            Kind::Dir => "dir",
            Kind::Symlink => "symlink",
        };
        if *c_mode != mode || c_kind != kind_name {
            return false;
        }
        if let Some((s, n)) = real.stat {
            if (*size, *nlink) != (s, n) {
                return false;
            }
        }
    }
    true
}

/// What a candidate who ran the C would write for a marked call.
fn candidate_answer(p: &Probe, c: &Seen) -> String {
    match p.what {
        What::Result => c.errno.clone().unwrap_or_else(|| "OK".into()),
        What::Ret => c.ret.to_string(),
        What::Nlink => c.stat.as_ref().map(|s| s.1.to_string()).unwrap_or_default(),
        What::Size => c.stat.as_ref().map(|s| s.0.to_string()).unwrap_or_default(),
        What::Data => fsops::show_bytes(c.data.as_deref().unwrap_or_default()),
        What::Mode => c
            .stat
            .as_ref()
            .map(|s| format!("0{:o}", s.2))
            .unwrap_or_default(),
    }
}

#[test]
fn the_shown_c_compiles_and_runs_like_the_syscalls() {
    if !crate::require_tool("cc", "apt-get install gcc") {
        return;
    }
    let cases = cases();
    assert!(cases.len() >= 30, "only {} operation lists", cases.len());
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("questions.c");
    let exe = dir.path().join("questions");
    std::fs::write(&src, program(&cases)).unwrap();
    let out = Command::new("cc")
        .args(["-std=c11", "-O0", "-w", "-o"])
        .arg(&exe)
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut failures = Vec::new();
    let mut graded = 0;
    for (k, case) in cases.iter().enumerate() {
        let scratch = tempfile::tempdir().unwrap();
        let run = Command::new(&exe)
            .arg(k.to_string())
            .current_dir(scratch.path())
            .output()
            .unwrap();
        assert!(run.status.success(), "{}: the program failed", case.at);
        let seen: Vec<Seen> = String::from_utf8_lossy(&run.stdout)
            .lines()
            .map(parse)
            .collect();
        let (real, _) = fsops::run_real(&case.ops, &[]).unwrap();
        assert_eq!(seen.len(), real.len(), "{}", case.at);
        for (i, ((op, c), r)) in case.ops.iter().zip(&seen).zip(&real).enumerate() {
            if !agrees(op, c, r) {
                failures.push(format!(
                    "{} call {i} `{}`: C {c:?}, syscalls {r:?}",
                    case.at,
                    fsops::render_op(op)
                ));
            }
        }
        for (i, p) in case.probes.iter().enumerate() {
            let answer = candidate_answer(p, &seen[p.op]);
            let e = &case.q.slots[i].expected;
            graded += 1;
            if !grade(e, &answer).is_correct() {
                failures.push(format!(
                    "{} slot {i}: the C run gives `{answer}`, the key is `{}`",
                    case.at,
                    e.reference()
                ));
            }
        }
    }
    assert!(graded > 50, "only {graded} marked calls graded");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
