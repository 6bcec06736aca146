//! Metaparameters end to end: `Meta:sema`, `rewatch`, `reverse`,
//! `autogroup`, `reset`, `realize`.

use crate::support::*;

#[test]
fn a_semaphore_keeps_commands_from_overlapping() {
    let mut program = String::new();
    for name in ["a", "b", "c", "d"] {
        program.push_str(&format!(
            "exec \"{name}\" {{\n\tcmd => \"echo start >> @/log; sleep 0.1; echo end >> @/log\",\n\tshell => \"/bin/sh\",\n\tMeta:sema => [\"lock:1\"],\n}}\n"
        ));
    }
    let case = Case::new(&program);
    let output = case.once(&[]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let log = lines(&case, "log");
    assert_eq!(log.len(), 8, "{log:?}");
    for pair in log.chunks(2) {
        assert_eq!(pair, ["start", "end"], "{log:?}");
    }
}

#[test]
fn rewatch_restarts_a_watch_command_that_exits() {
    // The watch command prints one line and exits; with rewatch it is started
    // again, so it runs more than once.
    let case = Case::new(
        "exec \"w\" {\n\tcmd => \"/bin/true\",\n\twatchcmd => \"echo tick >> @/watches; echo event; sleep 0.2\",\n\twatchshell => \"/bin/sh\",\n\tMeta:rewatch => true,\n}\n",
    );
    let agent = case.agent(&[]);
    eventually("the watch command is restarted", || {
        lines(&case, "watches").len() >= 3
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("restarting it"), "{log}");
}

#[test]
fn reverse_undoes_a_file_when_it_leaves_the_graph() {
    // The program manages `@/reversed` only while `@/switch` exists.
    let case = Case::new(
        "import \"os\"\nif os.file_exists(\"@/switch\") {\n\tfile \"@/reversed\" {\n\tcontent => \"managed\\n\",\n\tMeta:reverse => true,\n\t}\n}\n",
    );
    std::fs::write(case.path("reversed"), "original\n").expect("write");
    std::fs::write(case.path("switch"), "").expect("write");
    let agent = case.agent(&[]);
    eventually("the file is managed", || {
        case.read("reversed") == "managed\n"
    });
    std::fs::remove_file(case.path("switch")).expect("remove");
    eventually("the file is put back", || {
        case.read("reversed") == "original\n"
    });
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn autogroup_runs_prints_as_one_and_keeps_the_ones_that_opt_out_apart() {
    let case = Case::new(
        "print \"a\" {\n\tmsg => \"one\",\n}\nprint \"b\" {\n\tmsg => \"two\",\n}\nprint \"alone\" {\n\tmsg => \"three\",\n\tMeta:autogroup => false,\n}\nfile \"@/after\" {\n\tcontent => \"x\",\n\tDepend => Print[\"b\"],\n}\n",
    );
    let output = case.once(&[]);
    let log = text(&output.stderr);
    assert!(output.status.success(), "{log}");
    // Each message is printed under its own name...
    for line in ["print[a]: one", "print[b]: two", "print[alone]: three"] {
        assert!(log.contains(line), "{line} missing:\n{log}");
    }
    // ...by one check/apply for the group, one for the resource kept apart.
    assert!(
        log.contains("print[a]: printed; print[b]: printed"),
        "{log}"
    );
    assert!(log.contains("print[alone]: printed"), "{log}");
    // The edge from the grouped print still orders the file after it.
    assert_eq!(case.read("after"), "x");
    // `--graphviz` draws the group the engine runs as one.
    let dot = case.path("graph.dot");
    let drawn = case.once(&["--graphviz", dot.to_str().expect("utf-8 path")]);
    assert!(drawn.status.success(), "{}", text(&drawn.stderr));
    let written = std::fs::read_to_string(&dot).expect("the DOT file");
    assert!(
        written.contains("subgraph cluster_0 {")
            && written.contains("\t\t\t\"print[a]\";\n\t\t\t\"print[b]\";\n\t\t}"),
        "{written}"
    );
    // Inside the box of its kind, outside the group's.
    assert!(written.contains("\t\t\"print[alone]\";\n"), "{written}");
}

/// A command that always fails, logging each try with the contents of
/// `input`; changing `input` replaces it with one that logs the new value.
fn failing_with_input(reset: bool) -> Case {
    let case = Case::new(&format!(
        "import \"os\"\n$input = os.readfile(\"@/input\") <|> \"none\"\nexec \"fails\" {{\n\tcmd => \"echo ${{input}} >> @/tries; exit 1\",\n\tshell => \"/bin/sh\",\n\tMeta:retry => 2,\n\tMeta:delay => 20,\n\tMeta:reset => {reset},\n}}\n"
    ));
    std::fs::write(case.path("input"), "one").expect("write");
    case
}

fn tries_of(case: &Case, input: &str) -> usize {
    lines(case, "tries")
        .iter()
        .filter(|line| line.as_str() == input)
        .count()
}

#[test]
fn retries_used_stay_used_when_params_change_unless_reset() {
    for reset in [false, true] {
        let case = failing_with_input(reset);
        let agent = case.agent(&[]);
        eventually("three tries of the first command", || {
            tries_of(&case, "one") == 3
        });
        std::fs::write(case.path("input"), "two").expect("write");
        let expected = if reset { 3 } else { 1 };
        eventually("the changed command runs", || tries_of(&case, "two") >= 1);
        if reset {
            eventually("a fresh count of retries", || tries_of(&case, "two") == 3);
        } else {
            // Retries 20 ms apart would have shown by now.
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        assert_eq!(tries_of(&case, "two"), expected, "reset => {reset}");
        let (_, log) = agent.stop();
        assert!(log.contains("giving up"), "{log}");
    }
}

#[test]
fn realize_holds_a_new_graph_until_the_resource_it_replaces_has_run() {
    // The file waits behind a slow command; its name follows `input`, which
    // changes while the command runs. Without `Meta:realize` the first file
    // would be dropped from the graph before it was ever made.
    let case = Case::new(
        "import \"os\"\n$input = os.readfile(\"@/input\") <|> \"none\"\nexec \"slow\" {\n\tcmd => \"touch @/started; sleep 1\",\n\tshell => \"/bin/sh\",\n\tcreates => \"@/started\",\n}\nfile \"@/made-${input}\" {\n\tcontent => \"x\",\n\tDepend => Exec[\"slow\"],\n\tMeta:realize => true,\n}\n",
    );
    std::fs::write(case.path("input"), "one").expect("write");
    let agent = case.agent(&["-v"]);
    eventually("the slow command starts", || case.path("started").exists());
    std::fs::write(case.path("input"), "two").expect("write");
    eventually("the second file is made", || case.path("made-two").exists());
    assert!(
        case.path("made-one").exists(),
        "the first file was never made"
    );
    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("holding the new graph"), "{log}");
}
