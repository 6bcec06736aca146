//! The `mgmt` binary as a user runs it: exit codes, `fmt` in its three modes,
//! and errors for people and for editors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn mgmt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mgmt"))
        .args(args)
        .output()
        .expect("the mgmt binary runs")
}

fn mgmt_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mgmt"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the mgmt binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("stdin accepts the program");
    child.wait_with_output().expect("mgmt exits")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("temp file is writable");
    path
}

const UNFORMATTED: &str = "$x=1\nfile \"/tmp/a\" { content => \"hi\", mode => \"0644\" }\n";
const FORMATTED: &str = "$x = 1\nfile \"/tmp/a\" {\n\tcontent => \"hi\",\n\tmode => \"0644\",\n}\n";

#[test]
fn version_and_help_succeed() {
    let version = mgmt(&["--version"]);
    assert!(version.status.success());
    assert!(text(&version.stdout).starts_with("mgmt "));
    let help = mgmt(&["--help"]);
    assert!(help.status.success());
    for command in ["fmt", "compile", "run"] {
        assert!(text(&help.stdout).contains(command), "help lists {command}");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        mgmt(&["fmt", "--no-such-flag", "x.mcl"]).status.code(),
        Some(2)
    );
    assert_eq!(mgmt(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn fmt_rewrites_in_place_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", UNFORMATTED);
    let path_arg = path.to_str().expect("utf-8 path");
    let first = mgmt(&["fmt", path_arg]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), FORMATTED);
    let second = mgmt(&["fmt", path_arg]);
    assert!(second.status.success());
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), FORMATTED);
}

#[cfg(unix)]
#[test]
fn fmt_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", UNFORMATTED);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    assert!(mgmt(&["fmt", path.to_str().expect("utf-8 path")])
        .status
        .success());
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn fmt_check_shows_a_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", UNFORMATTED);
    let output = mgmt(&["fmt", "--check", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let diff = text(&output.stdout);
    assert!(diff.contains("-$x=1"), "{diff}");
    assert!(diff.contains("+$x = 1"), "{diff}");
    assert!(diff.contains("+\tcontent => \"hi\","), "{diff}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("readable"),
        UNFORMATTED
    );

    let clean = write(dir.path(), "clean.mcl", FORMATTED);
    let output = mgmt(&["fmt", "--check", clean.to_str().expect("utf-8 path")]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
}

#[test]
fn fmt_filters_standard_input() {
    let output = mgmt_with_stdin(&["fmt", "-"], UNFORMATTED);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), FORMATTED);
}

#[test]
fn fmt_leaves_a_broken_file_untouched_and_explains() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = "$x = 5 % 2\n";
    let path = write(dir.path(), "broken.mcl", broken);
    let output = mgmt(&["fmt", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("error[E0102]"), "{stderr}");
    assert!(stderr.contains("broken.mcl:1:8"), "{stderr}");
    assert!(stderr.contains("math.mod"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), broken);
}

#[test]
fn json_errors_are_one_object_per_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "two.mcl", "$a = 5 % 2\n$b = \"\\q\"\n");
    let output = mgmt(&[
        "--error-format",
        "json",
        "fmt",
        path.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0]["version"], 1);
    assert_eq!(lines[0]["code"], "E0102");
    assert_eq!(lines[0]["range"]["start"]["line"], 1);
    assert_eq!(lines[0]["range"]["start"]["column"], 8);
    assert_eq!(lines[1]["code"], "E0107");
    assert_eq!(lines[1]["range"]["start"]["line"], 2);
    assert_eq!(lines[1]["range"]["start"]["column"], 7);
    assert_eq!(lines[1]["labels"][0]["primary"], true);
}

#[test]
fn field_values_are_refused_at_their_field_before_anything_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("owned");
    let program = format!(
        "file \"{}\" {{\n\tstate => \"present\",\n\towner => \"root:root\",\n}}\ncron \"backup\" {{\n\ttrigger => \"OnBootSec\",\n\ttime => \"5 lightyears\",\n}}\n",
        target.display()
    );
    let path = write(dir.path(), "main.mcl", &program);
    let path = path.to_str().expect("utf-8 path");

    let human = mgmt(&["run", "--converged-timeout", "0", path]);
    assert_eq!(
        human.status.code(),
        Some(1),
        "a compile error, not a run failure"
    );
    let stderr = text(&human.stderr);
    assert!(stderr.contains("did you mean \"exists\"?"), "{stderr}");
    assert!(
        stderr.contains("owner and the group are separate fields"),
        "{stderr}"
    );
    assert!(stderr.contains("`lightyears` is not a unit"), "{stderr}");
    assert!(!target.exists(), "nothing was applied");

    let json = mgmt(&["--error-format", "json", "compile", path]);
    assert_eq!(json.status.code(), Some(1));
    let stderr = text(&json.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    let at: Vec<(String, u64, u64)> = lines
        .iter()
        .map(|line| {
            let start = &line["range"]["start"];
            (
                line["code"].as_str().unwrap_or_default().to_owned(),
                start["line"].as_u64().unwrap_or_default(),
                start["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    for expected in [("E0411", 2, 11), ("E0411", 3, 11), ("E0411", 7, 10)] {
        let expected = (expected.0.to_owned(), expected.1, expected.2);
        assert!(at.contains(&expected), "{expected:?} missing: {stderr}");
    }
}

#[test]
fn a_missing_file_is_a_run_failure() {
    let output = mgmt(&["fmt", "/nonexistent/dir/main.mcl"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("cannot read /nonexistent/dir/main.mcl"),
        "{stderr}"
    );
}

#[test]
fn compile_and_run_report_syntax_errors_already() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "bad.mcl",
        "file \"/a\" {\n\tcontent => \"x\"\n\tmode => \"0644\",\n}\n",
    );
    for command in ["compile", "run"] {
        let output = mgmt(&[command, path.to_str().expect("utf-8 path")]);
        assert_eq!(output.status.code(), Some(1), "{command}");
        assert!(text(&output.stderr).contains("error[E0113]"), "{command}");
    }
}

const PROGRAM: &str = "import \"fmt\"\n$dir = \"/srv/app/\"\nfile $dir {}\nfile \"${dir}conf\" {\n\tcontent => fmt.printf(\"port=%d\\n\", 8080),\n\tMeta:retry => 3,\n\tNotify => Exec[\"reload\"],\n}\nexec \"reload\" {\n\tcmd => \"/bin/true\",\n}\n";

#[test]
fn compile_prints_the_graph_as_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", PROGRAM);
    let output = mgmt(&["compile", path.to_str().expect("utf-8 path")]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "Edge: file[/srv/app/] -> file[/srv/app/conf]\nEdge: file[/srv/app/conf] -> exec[reload]\nVertex: exec[reload]\nVertex: file[/srv/app/]\nVertex: file[/srv/app/conf]\n"
    );
    let plain = mgmt(&[
        "compile",
        "--no-autoedges",
        path.to_str().expect("utf-8 path"),
    ]);
    assert!(!text(&plain.stdout).contains("Edge: file[/srv/app/] ->"));
}

#[test]
fn compile_prints_the_graph_as_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", PROGRAM);
    let output = mgmt(&[
        "compile",
        "--format",
        "json",
        path.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let conf = &json["vertices"]
        .as_array()
        .expect("vertices")
        .iter()
        .find(|vertex| vertex["name"] == "/srv/app/conf")
        .expect("the conf file")
        .clone();
    assert_eq!(conf["kind"], "file");
    assert_eq!(conf["params"]["content"], "port=8080\n");
    assert_eq!(conf["meta"], serde_json::json!({"retry": 3}));
    let notify = json["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|edge| edge["to"] == "exec[reload]")
        .expect("the notify edge")
        .clone();
    assert_eq!(notify["from"], "file[/srv/app/conf]");
    assert_eq!(notify["notify"], true);
}

#[test]
fn compile_writes_graphviz() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", PROGRAM);
    let dot = dir.path().join("graph.dot");
    let output = mgmt(&[
        "compile",
        "--format",
        "dot",
        "--graphviz",
        dot.to_str().expect("utf-8 path"),
        path.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(&dot).expect("the DOT file");
    assert!(written.starts_with("digraph"), "{written}");
    assert!(written.contains("exec[reload]"));
    assert_eq!(written, text(&output.stdout));
    if Command::new("dot").arg("-V").output().is_ok() {
        let png = dir.path().join("graph.png");
        let output = mgmt(&[
            "compile",
            "--graphviz",
            png.to_str().expect("utf-8 path"),
            path.to_str().expect("utf-8 path"),
        ]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let bytes = std::fs::read(&png).expect("the PNG");
        assert_eq!(&bytes[1..4], b"PNG");
    }
}

#[test]
fn compile_errors_are_located_and_coded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(
        dir.path(),
        "main.mcl",
        "file \"/a\" {\n\tcontnet => \"x\",\n}\n",
    );
    let output = mgmt(&["compile", path.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("error[E0215]"), "{stderr}");
    assert!(stderr.contains("main.mcl:2:2"), "{stderr}");
    assert!(stderr.contains("did you mean `content`?"), "{stderr}");
    let json = mgmt(&[
        "compile",
        "--error-format",
        "json",
        path.to_str().expect("utf-8 path"),
    ]);
    let line: serde_json::Value =
        serde_json::from_str(text(&json.stderr).trim()).expect("one JSON line");
    assert_eq!(line["code"], "E0215");
    assert_eq!(line["help"], "did you mean `content`?");
}

#[test]
fn compile_uses_the_hostname_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", "file \"/tmp/${hostname}\" {}\n");
    let output = mgmt(&[
        "compile",
        "--hostname",
        "web1",
        path.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(text(&output.stdout), "Vertex: file[/tmp/web1]\n");
}

#[test]
fn every_example_is_formatted() {
    // Directory examples (`examples/modules/`) hold modules too: walk them all.
    let mut pending = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")];
    let mut files: Vec<String> = Vec::new();
    while let Some(directory) = pending.pop() {
        for path in std::fs::read_dir(&directory)
            .expect("examples/ exists")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "mcl") {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(String::as_str));
    let output = mgmt(&args);
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

#[test]
fn only_regular_files_of_bounded_size_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fifo = dir.path().join("fifo.mcl");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let zero = dir.path().join("zero.mcl");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("a symlink");
    let big = write(dir.path(), "big.mcl", "noop \"n\" {}\n");
    let importer = write(dir.path(), "main.mcl", "import \"fifo.mcl\"\n");
    let cases = [
        (
            vec!["compile", path_str(&fifo)],
            "not a regular file (it is a FIFO)",
        ),
        (
            vec!["run", path_str(&zero)],
            "not a regular file (it is a device)",
        ),
        (
            vec!["compile", "--max-source-bytes", "5", path_str(&big)],
            "larger than 5 bytes (raise the limit with --max-source-bytes)",
        ),
        (
            vec!["fmt", path_str(dir.path())],
            "not a regular file (it is a directory)",
        ),
    ];
    for (args, expected) in cases {
        let output = mgmt(&args);
        assert_eq!(output.status.code(), Some(3), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // An import is read the same way, and reported at the import.
    let output = mgmt(&["compile", path_str(&importer)]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("it is a FIFO"), "{stderr}");
    assert!(stderr.contains("main.mcl:1"), "{stderr}");
}

#[test]
fn an_unreadable_entry_file_is_a_json_diagnostic_for_editors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.mcl");
    let output = mgmt(&["--error-format", "json", "compile", path_str(&missing)]);
    assert_eq!(output.status.code(), Some(3));
    let line: serde_json::Value =
        serde_json::from_str(text(&output.stderr).trim()).expect("one JSON line");
    assert_eq!(line["code"], "E0206");
    assert!(line["message"]
        .as_str()
        .is_some_and(|message| message.contains("No such file or directory")));
    assert_eq!(line["file"], serde_json::Value::Null);

    let latin1 = dir.path().join("latin1.mcl");
    std::fs::write(&latin1, b"noop \"n\" {}\n# caf\xe9\n").expect("written");
    for format in ["json", "human"] {
        let output = mgmt(&["--error-format", format, "compile", path_str(&latin1)]);
        assert_eq!(output.status.code(), Some(3), "{format}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains("not UTF-8 text (byte 17, line 2, column 6)"),
            "{stderr}"
        );
        if format == "json" {
            let line: serde_json::Value =
                serde_json::from_str(stderr.trim()).expect("one JSON line");
            assert_eq!(line["code"], "E0206");
            assert_eq!(line["range"]["start"]["line"], 2);
            assert_eq!(line["range"]["start"]["column"], 6);
            assert_eq!(line["labels"][0]["message"], "not UTF-8 from here");
        }
    }
}

#[test]
fn an_error_on_a_megabyte_line_prints_a_few_hundred_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let program = format!(
        "$x = [\"{}\", 1,]\nnoop \"n\" {{}}\n",
        "a".repeat(1_000_000)
    );
    let column = program.find(", 1,").expect("the int") + 3;
    let path = write(dir.path(), "long.mcl", &program);
    let output = mgmt(&["compile", path_str(&path)]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.len() < 2_000,
        "{} bytes of diagnostics",
        stderr.len()
    );
    assert!(stderr.contains(&format!("long.mcl:1:{column}")), "{stderr}");
    assert!(stderr.contains("…"), "{stderr}");
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

#[test]
fn check_type_checks_and_prints_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = write(dir.path(), "good.mcl", PROGRAM);
    let bad = write(dir.path(), "bad.mcl", "$a = 1 + \"x\"\n");
    let good_arg = good.to_str().expect("utf-8 path");
    let bad_arg = bad.to_str().expect("utf-8 path");
    for args in [vec!["check", good_arg], vec!["check", "lang", good_arg]] {
        let output = mgmt(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    }
    let output = mgmt(&["check", bad_arg]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("error[E0301]"));
    let json = mgmt(&["check", "--error-format", "json", bad_arg]);
    assert_eq!(json.status.code(), Some(1));
    assert!(
        text(&json.stderr).contains("\"code\":\"E0301\""),
        "{}",
        text(&json.stderr)
    );
}

#[test]
fn upstreams_lang_word_is_skipped_and_nothing_else_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "main.mcl", PROGRAM);
    let path_arg = path.to_str().expect("utf-8 path");
    let plain = mgmt(&["compile", path_arg]);
    let with_lang = mgmt(&["compile", "lang", path_arg]);
    assert!(with_lang.status.success(), "{}", text(&with_lang.stderr));
    assert_eq!(plain.stdout, with_lang.stdout);
    let other = mgmt(&["run", "yaml", path_arg]);
    assert_eq!(other.status.code(), Some(2));
    assert!(text(&other.stderr).contains("only the front end `lang`"));
}

#[test]
fn run_accepts_upstreams_converged_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("out");
    let program = format!(
        "file \"{}\" {{\n\tcontent => \"hi\\n\",\n}}\n",
        target.display()
    );
    let path = write(dir.path(), "main.mcl", &program);
    let output = mgmt(&[
        "run",
        "--converger-timeout",
        "0",
        "--converged-exit",
        "lang",
        path.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(&target).expect("written"), "hi\n");
}

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let output = mgmt(&["completions", shell]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let script = text(&output.stdout);
        for subcommand in ["fmt", "compile", "check", "run", "completions", "man"] {
            assert!(script.contains(subcommand), "{shell}: no {subcommand}");
        }
        assert!(script.contains("detailed-exitcodes"), "{shell}");
    }
    assert_eq!(mgmt(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_manual_pages_are_roff_with_every_flag() {
    let main = mgmt(&["man"]);
    assert!(main.status.success(), "{}", text(&main.stderr));
    let page = text(&main.stdout);
    assert!(page.contains(".TH mgmt 1"), "{page}");
    assert!(page.contains("mgmt\\-run(1)"), "{page}");
    let run = text(&mgmt(&["man", "run"]).stdout);
    assert!(run.contains(".TH mgmt-run 1"), "{run}");
    assert!(run.contains("\\-\\-detailed\\-exitcodes"), "{run}");
    assert_eq!(mgmt(&["man", "nothing"]).status.code(), Some(2));
}

#[test]
fn the_version_names_its_commit_and_build_date() {
    let output = mgmt(&["--version"]);
    let version = text(&output.stdout);
    assert!(
        version.starts_with(&format!("mgmt {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let commit = version
        .split("(commit ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_default();
    assert!(
        commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{version}"
    );
    assert!(version.contains(", built 20"), "{version}");
}

#[test]
fn a_directory_entry_runs_its_main_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("out");
    let program = format!(
        "file \"{}\" {{\n\tcontent => \"hi\\n\",\n}}\n",
        target.display()
    );
    write(dir.path(), "main.mcl", &program);
    let dir_arg = dir.path().to_str().expect("utf-8 path");
    for command in ["check", "compile"] {
        let output = mgmt(&[command, dir_arg]);
        assert!(
            output.status.success(),
            "{command}: {}",
            text(&output.stderr)
        );
    }
    let run = mgmt(&["run", "--converged-timeout", "0", "lang", dir_arg]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(&target).expect("written"), "hi\n");

    // metadata.yaml names another main file, as upstream's modules do.
    write(dir.path(), "site.mcl", "file \"/tmp/from-site\" {}\n");
    write(dir.path(), "metadata.yaml", "main: \"site.mcl\"\n");
    let compiled = mgmt(&["compile", dir_arg]);
    assert!(
        text(&compiled.stdout).contains("/tmp/from-site"),
        "{}",
        text(&compiled.stderr)
    );

    let empty = tempfile::tempdir().expect("temp dir");
    let output = mgmt(&["compile", empty.path().to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        text(&output.stderr).contains("is a directory without its main file main.mcl"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn converged_timeout_minus_one_means_never_and_other_values_are_explained() {
    // Accepted (upstream's spelling of the default): the run gets as far as
    // reading the missing file.
    for form in [
        &["--converged-timeout", "-1"][..],
        &["--converged-timeout=-1"],
    ] {
        let output = mgmt(&[&["run"], form, &["/nonexistent/main.mcl"]].concat());
        assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
        assert!(text(&output.stderr).contains("cannot read"));
    }
    let output = mgmt(&["run", "--converged-timeout", "-5", "/nonexistent/main.mcl"]);
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output.stderr);
    assert!(
        message.contains("or -1 to never exit on convergence"),
        "{message}"
    );
    assert!(!message.contains("-- -"), "{message}");
}
