//! The cluster over TLS with client certificates: certificates made by the
//! test with openssl, a real etcd that requires them, an agent that has
//! them and one whose certificate another CA signed.

use super::etcd::{self, Etcd};
use super::support::*;
use std::path::Path;
use std::process::Command;

/// Runs openssl with `args` in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl {args:?} failed");
}

/// A CA `NAME-ca.pem` and a certificate `NAME-LEAF.pem` (key
/// `NAME-LEAF-key.pem`) it signed for 127.0.0.1.
fn certificates(dir: &Path, name: &str, leaves: &[&str]) {
    let ca = format!("{name}-ca");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={ca}"),
            "-keyout",
            &format!("{ca}-key.pem"),
            "-out",
            &format!("{ca}.pem"),
        ],
    );
    for leaf in leaves {
        let base = format!("{name}-{leaf}");
        std::fs::write(
            dir.join(format!("{base}.ext")),
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
        )
        .expect("extensions written");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                &format!("/CN={leaf}"),
                "-keyout",
                &format!("{base}-key.pem"),
                "-out",
                &format!("{base}.csr"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{base}.csr"),
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}-key.pem"),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &format!("{base}.ext"),
                "-out",
                &format!("{base}.pem"),
            ],
        );
    }
}

#[test]
fn tls_with_client_certificates_admits_the_right_agent_only() {
    if !etcd::available() {
        return;
    }
    let case = Case::new(EXPORTS_X);
    let dir = case.dir.path();
    certificates(dir, "good", &["server", "client"]);
    certificates(dir, "bad", &["client"]);
    let file = |name: &str| dir.join(name).to_str().expect("utf-8 path").to_owned();
    let etcd = Etcd::start_tls(
        &file("good-server.pem"),
        &file("good-server-key.pem"),
        &file("good-ca.pem"),
    );
    let (ca, cert, key) = (
        file("good-ca.pem"),
        file("good-client.pem"),
        file("good-client-key.pem"),
    );
    let good = case.agent(&[
        "--hostname",
        "a",
        "--seeds",
        &etcd.client_url,
        "--etcd-ca",
        &ca,
        "--etcd-cert",
        &cert,
        "--etcd-key",
        &key,
    ]);
    eventually("the trusted agent's export is stored", || {
        etcd.get("/_mgmt/exports/a/")
            .is_some_and(|keys| keys.contains("/x"))
    });
    let (bad_cert, bad_key) = (file("bad-client.pem"), file("bad-client-key.pem"));
    let bad = case.agent(&[
        "--hostname",
        "b",
        "--seeds",
        &etcd.client_url,
        "--etcd-ca",
        &ca,
        "--etcd-cert",
        &bad_cert,
        "--etcd-key",
        &bad_key,
    ]);
    let plain = case.agent(&["--hostname", "c", "--seeds", &etcd.client_url]);
    eventually("both refused agents say why, naming the endpoint", || {
        let named = format!("etcd at {}", etcd.client_url);
        bad.log().contains(&named) && plain.log().contains(&named)
    });
    let stored = etcd.get("/_mgmt/exports/").expect("etcd answers");
    assert!(
        !stored.contains("exports/b/") && !stored.contains("exports/c/"),
        "{stored}"
    );
    // The refused agents keep running their local graph and retrying.
    eventually("the refused agents go on without the cluster", || {
        bad.log().contains("has not answered") && plain.log().contains("has not answered")
    });
    stop_all([good, bad, plain]);
}

#[test]
fn an_agent_serves_etcd_over_tls_and_admits_only_certified_agents() {
    if !etcd::available() {
        return;
    }
    let case = Case::new(EXPORTS_X);
    let dir = case.dir.path();
    certificates(dir, "good", &["server", "client"]);
    let file = |name: &str| dir.join(name).to_str().expect("utf-8 path").to_owned();
    let (ca, cert, key) = (
        file("good-ca.pem"),
        file("good-client.pem"),
        file("good-client-key.pem"),
    );
    let client = format!("https://127.0.0.1:{}", etcd::free_port());
    let peer = format!("http://127.0.0.1:{}", etcd::free_port());
    let state = case.path("state");
    let certified = |host: &str| {
        [
            "--hostname",
            host,
            "--etcd-ca",
            &ca,
            "--etcd-cert",
            &cert,
            "--etcd-key",
            &key,
        ]
        .map(str::to_owned)
    };
    let mut serving: Vec<String> = certified("a").to_vec();
    serving.extend(
        [
            "--etcd-serve",
            "--etcd-client-urls",
            &client,
            "--etcd-peer-urls",
            &peer,
            "--etcd-serve-cert",
            &file("good-server.pem"),
            "--etcd-serve-key",
            &file("good-server-key.pem"),
            "--etcd-serve-client-ca",
            &ca,
            "--prefix",
            state.to_str().expect("utf-8 path"),
        ]
        .map(str::to_owned),
    );
    let server = case.agent(&serving.iter().map(String::as_str).collect::<Vec<_>>());
    eventually("the served etcd answers", || {
        server.log().contains("serving etcd at")
    });
    let mut joining: Vec<String> = certified("b").to_vec();
    joining.extend(["--seeds".to_owned(), client.clone()]);
    let joined = case.agent(&joining.iter().map(String::as_str).collect::<Vec<_>>());
    let plain = case.agent(&["--hostname", "c", "--seeds", &client, "--etcd-ca", &ca]);
    eventually("both certified agents' exports are stored", || {
        let stored = etcd::get_tls(&client, [&ca, &cert, &key], "/_mgmt/exports/");
        stored
            .as_deref()
            .is_some_and(|keys| keys.contains("exports/a/") && keys.contains("exports/b/"))
    });
    eventually(
        "the agent without a certificate is refused, naming the endpoint",
        || plain.log().contains(&format!("etcd at {client}")),
    );
    let stored = etcd::get_tls(&client, [&ca, &cert, &key], "/_mgmt/exports/").unwrap_or_default();
    assert!(!stored.contains("exports/c/"), "{stored}");
    stop_all([plain, joined, server]);
}

#[test]
fn serving_tls_without_the_files_it_needs_is_a_clear_error() {
    let case = Case::new(EXPORTS_X);
    let output = case.once(&[
        "--etcd-serve",
        "--etcd-client-urls",
        "https://127.0.0.1:1",
        "--etcd-serve-cert",
        "/nonexistent/server.pem",
        "--etcd-serve-key",
        "/nonexistent/server-key.pem",
    ]);
    let log = text(&output.stderr);
    assert!(!output.status.success(), "{log}");
    assert!(
        log.contains("--etcd-serve-cert /nonexistent/server.pem"),
        "{log}"
    );
}
