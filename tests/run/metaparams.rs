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
}
