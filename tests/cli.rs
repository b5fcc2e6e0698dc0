//! Bad configuration and environment: one clear line naming the problem, a non-zero exit code,
//! and any existing dataset untouched.

mod common;
use common::*;
use std::path::Path;

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = gongkai().current_dir(dir).args(args).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn one_line(err: &str) {
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("gongkai: "), "{err}");
}

#[test]
fn bad_config_and_paths_are_one_line_errors_and_harm_nothing() {
    let tmp = temp_dir("cli");
    let input = tmp.join("in");
    std::fs::create_dir_all(&input).unwrap();
    let (n, b) = seed("000");
    std::fs::write(input.join(&n), &b).unwrap();
    let out = tmp.join("out");
    let (code, err) = run(&tmp, &["build", "-q", "--input", "in", "--out", "out"]);
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(&out);

    let cases: Vec<(Vec<&str>, &str, Option<&str>)> = vec![
        (
            vec!["build", "--input", "nowhere", "--out", "out"],
            "nowhere",
            None,
        ),
        (
            vec![
                "build",
                "--input",
                "in",
                "--out",
                "in/000_08215283885fdb5e.txt/out",
            ],
            "does not exist",
            None,
        ),
        (
            vec!["build", "--input", "in", "--out", "in"],
            "inside the output dataset",
            None,
        ),
        (
            vec!["build", "--input", "in", "--out", "out", "--threads", "0"],
            "`threads` is 0",
            None,
        ),
        (
            vec![
                "build",
                "--input",
                "in",
                "--out",
                "out",
                "--threads",
                "100000",
            ],
            "`threads`",
            None,
        ),
        (
            vec!["--config", "bad.toml", "build"],
            "bad.toml:2",
            Some("input = \"in\"\nthreds = 3\n"),
        ),
        (
            vec!["--config", "bad.toml", "build"],
            "bad.toml:1",
            Some("input = [unclosed\n"),
        ),
        (
            vec!["--config", "bad.toml", "build"],
            "`compression`",
            Some("compression = \"lz4\"\n"),
        ),
        (
            vec!["--config", "missing.toml", "build"],
            "missing.toml",
            None,
        ),
        (
            vec!["append", "--input", "in", "--out", "fresh"],
            "run `gongkai build` first",
            None,
        ),
        (vec!["status", "--out", "fresh"], "no gongkai dataset", None),
    ];
    for (args, needle, config) in cases {
        if let Some(c) = config {
            std::fs::write(tmp.join("bad.toml"), c).unwrap();
        }
        let (code, err) = run(&tmp, &args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        one_line(&err);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(snapshot(&out), before, "{args:?} changed the dataset");
    }
    // A lock is exit code 3 (tests/append.rs); a bad flag is clap's usage error, also 2.
    let (code, _) = run(&tmp, &["build", "--no-such-flag"]);
    assert_eq!(code, Some(2));
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn help_teaches() {
    let o = gongkai().arg("--help").output().unwrap();
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in ["build", "append", "status", "read_parquet", "Exit codes"] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}
