//! The World an agent runs with: the in-process store, or etcd at
//! `--seeds` or served by the agent itself (`--etcd-serve`) (with TLS and a user from flags; the password never from a
//! flag, so it is not in `ps`).

use super::signals::StopSignals;
use crate::cli::RunArgs;
use anyhow::{anyhow, Context};
use mgmt_runtime::world::{
    EtcdOptions, EtcdServer, EtcdStore, Mirror, ServeOptions, ServeTls, TlsFiles, World,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tracing::{info, warn};

/// How long the first read of the cluster's data may take before the first
/// evaluation goes ahead without it (it is evaluated again once it comes).
const FIRST_SYNC: Duration = Duration::from_secs(5);

/// The variable that may hold the etcd user's password.
const PASSWORD_VARIABLE: &str = "MGMT_ETCD_PASSWORD";

/// With `--etcd-serve`: the local etcd server, started and answering.
pub fn serve(args: &RunArgs, hostname: &str) -> anyhow::Result<Option<EtcdServer>> {
    if !args.etcd_serve {
        return Ok(None);
    }
    let client_urls = urls(&args.etcd_client_urls);
    let peer_urls = urls(&args.etcd_peer_urls);
    let tls = serve_tls(args, &client_urls)?;
    let options = ServeOptions {
        name: hostname.to_owned(),
        data_dir: state_dir(args).join("etcd"),
        advertise_client_urls: args
            .etcd_advertise_client_urls
            .as_deref()
            .map_or_else(|| client_urls.clone(), urls),
        advertise_peer_urls: args
            .etcd_advertise_peer_urls
            .as_deref()
            .map_or_else(|| peer_urls.clone(), urls),
        client_urls,
        peer_urls,
        tls,
    };
    EtcdServer::start(options)
        .map(Some)
        .map_err(|why| anyhow!(why))
}

/// `--etcd-serve-cert` and its companions, checked before etcd starts: each
/// file readable, the client URLs `https://`, and `--etcd-ca` given so this
/// agent can join its own server.
fn serve_tls(args: &RunArgs, client_urls: &[String]) -> anyhow::Result<Option<ServeTls>> {
    let (Some(cert), Some(key)) = (&args.etcd_serve_cert, &args.etcd_serve_key) else {
        if let Some(url) = client_urls.iter().find(|url| url.starts_with("https://")) {
            return Err(anyhow!(
                "--etcd-client-urls {url} is https: give --etcd-serve-cert and --etcd-serve-key"
            ));
        }
        return Ok(None);
    };
    let files = [
        ("--etcd-serve-cert", Some(cert)),
        ("--etcd-serve-key", Some(key)),
        ("--etcd-serve-client-ca", args.etcd_serve_client_ca.as_ref()),
    ];
    for (flag, path) in files {
        if let Some(path) = path {
            std::fs::File::open(path)
                .map_err(|problem| anyhow!("{flag} {}: {problem}", path.display()))?;
        }
    }
    if let Some(url) = client_urls.iter().find(|url| !url.starts_with("https://")) {
        return Err(anyhow!(
            "--etcd-serve-cert serves TLS, but --etcd-client-urls has {url}: use https://"
        ));
    }
    if args.etcd_ca.is_none() || (args.etcd_serve_client_ca.is_some() && args.etcd_cert.is_none()) {
        return Err(anyhow!(
            "this agent joins the etcd it serves over TLS: give --etcd-ca (the CA that signed \
             --etcd-serve-cert){}",
            if args.etcd_serve_client_ca.is_some() {
                ", and --etcd-cert/--etcd-key signed by --etcd-serve-client-ca"
            } else {
                ""
            }
        ));
    }
    Ok(Some(ServeTls {
        cert: cert.clone(),
        key: key.clone(),
        client_ca: args.etcd_serve_client_ca.clone(),
    }))
}

/// `--prefix` (or `MGMT_PREFIX`), or the default state directory.
pub(super) fn state_dir(args: &RunArgs) -> PathBuf {
    if let Some(prefix) = &args.prefix {
        return prefix.clone();
    }
    if nix::unistd::Uid::effective().is_root() {
        return PathBuf::from("/var/lib/mgmt");
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(".local/state/mgmt")
}

fn urls(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Builds the World; for etcd (at `--seeds`, or the one this agent serves),
/// on `runtime`, waiting briefly for its data. `None`: a stop signal came
/// while waiting.
pub fn world(
    args: &RunArgs,
    served: Option<&EtcdServer>,
    hostname: &str,
    runtime: &tokio::runtime::Runtime,
    signals: &mut StopSignals,
) -> anyhow::Result<Option<Arc<World>>> {
    let mut endpoints: Vec<String> = args.seeds.as_deref().map(urls).unwrap_or_default();
    if served.is_some() {
        let own = args
            .etcd_advertise_client_urls
            .as_deref()
            .unwrap_or(&args.etcd_client_urls);
        endpoints.extend(urls(own));
    }
    if endpoints.is_empty() {
        if args.export_ttl.is_some() || args.etcd_ca.is_some() || args.etcd_user.is_some() {
            return Err(anyhow!(
                "--export-ttl, --etcd-ca and --etcd-user need a cluster: add --seeds URL"
            ));
        }
        if args.seeds.is_some() {
            return Err(anyhow!("--seeds names no URL"));
        }
        return Ok(Some(World::in_process(hostname)));
    }
    if args.export_ttl == Some(0) {
        return Err(anyhow!("--export-ttl must be at least 1 second"));
    }
    let user = match &args.etcd_user {
        Some(user) => Some((user.clone(), password(args)?)),
        None => None,
    };
    let tls = args.etcd_ca.as_ref().map(|ca| TlsFiles {
        ca: ca.clone(),
        cert: args.etcd_cert.clone(),
        key: args.etcd_key.clone(),
    });
    let options = EtcdOptions {
        endpoints: endpoints.clone(),
        prefix: prefix(&args.etcd_prefix),
        hostname: hostname.to_owned(),
        export_ttl: args.export_ttl,
        user,
        tls,
    };
    let mirror = Arc::new(Mirror::default());
    let store_mirror = Arc::clone(&mirror);
    let synced = runtime.block_on(async move {
        let (store, first_sync) =
            EtcdStore::start(options, store_mirror).map_err(|why| anyhow!(why))?;
        let synced = tokio::select! {
            synced = tokio::time::timeout(FIRST_SYNC, first_sync) => Some(synced.is_ok()),
            _ = signals.next() => None,
        };
        anyhow::Ok((store, synced))
    });
    let (store, synced) = match synced? {
        (store, Some(synced)) => (store, synced),
        (_, None) => return Ok(None),
    };
    if synced {
        info!("joined the cluster at {}", endpoints.join(", "));
    } else {
        warn!(
            "etcd at {} has not answered within {} s; starting with no shared data and still trying",
            endpoints.join(", "),
            FIRST_SYNC.as_secs()
        );
    }
    Ok(Some(World::new(hostname, mirror, Box::new(store))))
}

/// The prefix with exactly one trailing `/`.
fn prefix(given: &str) -> String {
    format!("{}/", given.trim_end_matches('/'))
}

fn password(args: &RunArgs) -> anyhow::Result<String> {
    if let Some(path) = &args.etcd_password_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the etcd password file {}", path.display()))?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    std::env::var(PASSWORD_VARIABLE).map_err(|_| {
        anyhow!("--etcd-user needs a password: --etcd-password-file FILE or {PASSWORD_VARIABLE}")
    })
}
