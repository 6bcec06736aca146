//! SIGHUP reloads the program: a new program replaces the running one; one
//! that does not check is reported and the running one stays.

use super::support::*;

fn program(case: &Case, content: &str) -> String {
    let root = case.dir.path().display();
    format!("file \"{root}/out\" {{\n\tcontent => \"{content}\\n\",\n}}\n")
}

#[test]
fn sighup_runs_the_new_program_and_keeps_the_old_one_when_the_new_one_is_wrong() {
    let case = Case::new("file \"@/out\" {\n\tcontent => \"v1\\n\",\n}\n");
    let agent = case.agent(&[]);
    eventually("the first program runs", || case.read("out") == "v1\n");

    std::fs::write(&case.program, program(&case, "v2")).expect("new program");
    agent.signal("HUP");
    eventually("the new program runs", || case.read("out") == "v2\n");

    std::fs::write(&case.program, "file \"/x\" {\n\tcontent => 1,\n}\n").expect("broken");
    agent.signal("HUP");
    eventually("the errors are reported", || {
        agent.log().contains("the reloaded program has errors")
    });
    // The running program still repairs its file.
    std::fs::write(case.path("out"), "drift\n").expect("drift");
    eventually("the last good program repairs", || {
        case.read("out") == "v2\n"
    });

    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains("SIGHUP: reading and checking the program again"),
        "{log}"
    );
    assert!(log.contains("E0301"), "{log}");
}
