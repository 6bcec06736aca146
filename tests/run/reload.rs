//! The agent reloads its program when one of the program's files changes
//! and on SIGHUP: a new program replaces the running one; one that does not
//! check is reported and the running one stays.

use super::support::*;

fn program(case: &Case, content: &str) -> String {
    let root = case.dir.path().display();
    format!("import \"part.mcl\"\nfile \"{root}/out\" {{\n\tcontent => \"{content}\" + $part.suffix,\n}}\n")
}

#[test]
fn edits_and_sighup_run_the_new_program_and_a_wrong_one_keeps_the_old() {
    let case = Case::new("");
    std::fs::write(case.path("part.mcl"), "$suffix = \"!\\n\"\n").expect("import");
    std::fs::write(&case.program, program(&case, "v1")).expect("program");
    let agent = case.agent(&[]);
    eventually("the first program runs", || case.read("out") == "v1!\n");

    // Editing the entry file, then an imported one, reloads the program.
    std::fs::write(&case.program, program(&case, "v2")).expect("new program");
    eventually("the edited program runs", || case.read("out") == "v2!\n");
    std::fs::write(case.path("part.mcl"), "$suffix = \"?\\n\"\n").expect("import edited");
    eventually("the edited import is used", || case.read("out") == "v2?\n");

    // SIGHUP reloads too.
    let reloads = agent.log().matches("reloaded the program").count();
    agent.signal("HUP");
    eventually("SIGHUP reloads", || {
        agent.log().matches("reloaded the program").count() > reloads
    });
    assert!(agent
        .log()
        .contains("SIGHUP: reading and checking the program again"));

    // A program that does not check (saved as editors do, by rename) is
    // reported; the running one stays.
    let draft = case.path(".main.mcl.draft");
    std::fs::write(&draft, "file \"/x\" {\n\tcontent => 1,\n}\n").expect("broken");
    std::fs::rename(&draft, &case.program).expect("saved");
    eventually("the errors are reported", || {
        agent.log().contains("the reloaded program has errors")
    });
    std::fs::write(case.path("out"), "drift\n").expect("drift");
    eventually("the last good program repairs", || {
        case.read("out") == "v2?\n"
    });

    // An emptied entry file (a save caught half-way) is not a program to run.
    std::fs::write(&case.program, "").expect("emptied");
    eventually("the empty file is refused", || {
        agent.log().contains("main.mcl is empty; not reloaded")
    });
    std::fs::write(case.path("out"), "drift again\n").expect("drift");
    eventually("still the last good program", || {
        case.read("out") == "v2?\n"
    });

    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("E0301"), "{log}");
}

#[test]
fn a_directory_entry_reloads_when_its_metadata_names_another_main_file() {
    let case = Case::new("file \"@/out\" {\n\tcontent => \"main\\n\",\n}\n");
    let mut command = mgmt();
    command
        .arg("run")
        .arg(case.dir.path())
        .env("MGMT_PREFIX", case.prefix());
    let agent = Agent::spawn(command);
    eventually("main.mcl runs", || case.read("out") == "main\n");

    // A metadata.yaml that appears names site.mcl: that program runs now.
    let root = case.dir.path().display();
    std::fs::write(
        case.path("site.mcl"),
        format!("file \"{root}/out\" {{\n\tcontent => \"site\\n\",\n}}\n"),
    )
    .expect("site.mcl");
    std::fs::write(case.path("metadata.yaml"), "main: site.mcl\n").expect("metadata");
    eventually("site.mcl runs", || case.read("out") == "site\n");
    assert!(
        agent.log().contains("the main file is now"),
        "{}",
        agent.log()
    );

    // Editing the new main file reloads it, as any program file does.
    std::fs::write(
        case.path("site.mcl"),
        format!("file \"{root}/out\" {{\n\tcontent => \"site v2\\n\",\n}}\n"),
    )
    .expect("site.mcl edited");
    eventually("the edited site.mcl runs", || {
        case.read("out") == "site v2\n"
    });

    // A metadata.yaml naming a missing file is reported; the program stays.
    std::fs::write(case.path("metadata.yaml"), "main: missing.mcl\n").expect("metadata");
    eventually("the missing main file is reported", || {
        agent.log().contains("without its main file missing.mcl")
    });
    std::fs::write(case.path("out"), "drift\n").expect("drift");
    eventually("the last good program repairs", || {
        case.read("out") == "site v2\n"
    });

    let (code, log) = agent.stop();
    assert_eq!(code, Some(0), "{log}");
}
