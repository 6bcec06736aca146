//! Two engines in one process, each with services of its own (as a cluster
//! test runs several agents' engines side by side): both converge on their
//! own directory, both repair drift, both stop cleanly, and stopping one
//! leaves the other's running commands alone.

use mgmt_runtime::engine::{Ending, Engine, EngineHandle, EngineOptions};
use mgmt_runtime::services::Services;
use mgmt_runtime::spec::{GraphSpec, ResourceSpec};
use serde_json::{json, Value as Json};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// One engine running a file and an exec whose watch command keeps running.
struct Agent {
    directory: tempfile::TempDir,
    services: Services,
    handle: EngineHandle,
    running: JoinHandle<Ending>,
}

impl Agent {
    fn start(content: &str) -> Agent {
        let directory = tempfile::tempdir().expect("a temp dir");
        let file = directory.path().join("managed");
        let pid_file = directory.path().join("watcher.pid");
        let watch = format!("echo $$ > {}; exec sleep 300", pid_file.display());
        let graph = GraphSpec {
            resources: vec![
                spec(
                    "file",
                    &file.display().to_string(),
                    json!({"content": content}),
                ),
                spec(
                    "exec",
                    "true",
                    json!({"watchcmd": watch, "watchshell": "/bin/sh"}),
                ),
            ],
            edges: Vec::new(),
        };
        let services = Services::new();
        let (engine, handle) = Engine::with_services(EngineOptions::default(), services.clone());
        let running = tokio::spawn(engine.run());
        assert!(handle.swap(graph));
        Agent {
            directory,
            services,
            handle,
            running,
        }
    }

    fn file(&self) -> PathBuf {
        self.directory.path().join("managed")
    }

    /// The process group of its watch command, once it runs.
    async fn watcher(&self) -> i32 {
        let pid_file = self.directory.path().join("watcher.pid");
        eventually("the watch command's pid", || {
            fs::read_to_string(&pid_file).ok()?.trim().parse().ok()
        })
        .await
    }

    async fn stop(self) -> Ending {
        assert!(self.handle.shutdown());
        let ending = tokio::time::timeout(Duration::from_secs(10), self.running)
            .await
            .expect("the engine stops within 10 s")
            .expect("the engine task ends");
        // What `mgmt run` does after its engine ended.
        self.services.commands.kill_all();
        ending
    }
}

fn spec(kind: &str, name: &str, params: Json) -> ResourceSpec {
    let params = params.as_object().expect("params are an object").clone();
    ResourceSpec::new(kind, name, params.into_iter().collect(), "test.mcl:1:1")
}

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(found) = probe() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn holds(path: &Path, content: &str) {
    eventually(&format!("{} to hold {content:?}", path.display()), || {
        (fs::read_to_string(path).ok()? == content).then_some(())
    })
    .await;
}

fn alive(group: i32) -> bool {
    Path::new(&format!("/proc/{group}")).exists()
        && fs::read_to_string(format!("/proc/{group}/stat"))
            .is_ok_and(|stat| !stat.contains(") Z "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engines_converge_repair_and_stop_independently() {
    let first = Agent::start("first\n");
    let second = Agent::start("second\n");
    holds(&first.file(), "first\n").await;
    holds(&second.file(), "second\n").await;

    // Drift in each is repaired by its own engine.
    fs::remove_file(first.file()).expect("remove the first file");
    fs::write(second.file(), "drifted\n").expect("change the second file");
    holds(&first.file(), "first\n").await;
    holds(&second.file(), "second\n").await;

    let first_watcher = first.watcher().await;
    let second_watcher = second.watcher().await;
    assert!(alive(first_watcher) && alive(second_watcher));

    assert_eq!(first.stop().await, Ending::Stopped);
    eventually("the first engine's watch command to end", || {
        (!alive(first_watcher)).then_some(())
    })
    .await;
    // The second engine's command and watches are untouched.
    assert!(
        alive(second_watcher),
        "the second engine's child was killed"
    );
    fs::remove_file(second.file()).expect("remove the second file");
    holds(&second.file(), "second\n").await;

    assert_eq!(second.stop().await, Ending::Stopped);
    eventually("the second engine's watch command to end", || {
        (!alive(second_watcher)).then_some(())
    })
    .await;
}
