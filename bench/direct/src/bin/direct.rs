//! `direct DIR N [--no-fsync]`: the direct Rust baseline for the file
//! workloads W1 (create), W2 (no-op) and W3 (drift repair).
//!
//! For k in 1..=N it makes `DIR/fK` a regular file with content `i am fK\n`
//! and mode 0644, the way mgmt's `file` resource promises to (DESIGN.md:
//! every write durable): lstat; if it exists, is regular, has the right size,
//! content (read + compare) and mode, nothing is done; if only the mode is
//! wrong it is chmod-ed in place; otherwise the content goes to a temporary
//! file in the same directory, which is written, fchmod-ed, fsync-ed and
//! renamed over the path. It is `physconv --fsync` (the shared harness's C
//! floor) written with Rust's std, so the gap between the two is the
//! language's, and the gap between this and mgmt is the engine's.
//! It prints `created=X repaired=Y ok=Z` on standard error.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::ExitCode;

const MODE: u32 = 0o644;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(count)) = (args.get(1), args.get(2).and_then(|n| n.parse::<u64>().ok()))
    else {
        eprintln!("usage: direct DIR N [--no-fsync]");
        return ExitCode::from(2);
    };
    let durable = args.get(3).map(String::as_str) != Some("--no-fsync");
    match converge(Path::new(dir), count, durable) {
        Ok((created, repaired, ok)) => {
            eprintln!("created={created} repaired={repaired} ok={ok}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("direct: {error}");
            ExitCode::from(1)
        }
    }
}

fn converge(dir: &Path, count: u64, durable: bool) -> std::io::Result<(u64, u64, u64)> {
    let (mut created, mut repaired, mut ok) = (0, 0, 0);
    let mut have = Vec::with_capacity(64);
    for k in 1..=count {
        let path = dir.join(format!("f{k}"));
        let want = format!("i am f{k}\n");
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(error) if error.kind() == ErrorKind::NotFound => {
                write_atomic(dir, &path, k, want.as_bytes(), durable)?;
                created += 1;
                continue;
            }
            Err(error) => return Err(error),
        };
        let mut same = false;
        if meta.file_type().is_file() && meta.len() == want.len() as u64 {
            have.clear();
            // One byte more than wanted, so a file that grew is seen.
            File::open(&path)?
                .take(want.len() as u64 + 1)
                .read_to_end(&mut have)?;
            same = have == want.as_bytes();
        }
        if !same {
            write_atomic(dir, &path, k, want.as_bytes(), durable)?;
            repaired += 1;
        } else if meta.permissions().mode() & 0o7777 != MODE {
            fs::set_permissions(&path, Permissions::from_mode(MODE))?;
            repaired += 1;
        } else {
            ok += 1;
        }
    }
    Ok((created, repaired, ok))
}

/// Temporary file in the same directory: write, fchmod, fsync, rename.
fn write_atomic(
    dir: &Path,
    path: &Path,
    k: u64,
    content: &[u8],
    durable: bool,
) -> std::io::Result<()> {
    let temporary = dir.join(format!(".f{k}.tmp"));
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?;
    file.write_all(content)?;
    file.set_permissions(Permissions::from_mode(MODE))?; // fchmod on the open file
    if durable {
        file.sync_all()?; // fsync
    }
    drop(file);
    fs::rename(&temporary, path)
}
