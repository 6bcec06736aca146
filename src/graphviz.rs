//! `--graphviz FILE`: write a resource graph's DOT text (from
//! `mcl_compiler::graph::to_dot`) to a file, rendered by Graphviz when the
//! file name asks for an image.
//!
//! Lives in the binary because the compiler never touches the file system or
//! spawns processes. The file is replaced atomically (temporary file in the
//! same directory, fsync, rename), so a reader never sees half a graph, and a
//! failed render leaves any previous file as it was.

use anyhow::{anyhow, bail, Context};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// File extensions Graphviz renders to (as `dot -T<extension>`); any other
/// name gets the DOT text itself.
const IMAGE_FORMATS: &[&str] = &["png", "svg", "pdf", "jpg", "jpeg", "gif", "ps"];

const NOT_INSTALLED: &str =
    "Graphviz `dot` is not installed; install the `graphviz` package, or write a .dot file";

/// Writes `dot` to `path`: as is for `.dot`, `.gv` and other names, or
/// rendered with Graphviz's `dot` for `.png`, `.svg`, `.pdf`, `.jpg`/`.jpeg`,
/// `.gif` and `.ps`.
pub fn render_graphviz(dot: &str, path: &Path) -> anyhow::Result<()> {
    render_with("dot", dot, path)
}

/// [`render_graphviz`] with the Graphviz program named, so tests can name
/// one that does not exist.
fn render_with(program: &str, dot: &str, path: &Path) -> anyhow::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".mgmt-graphviz-")
        .tempfile_in(directory)
        .with_context(|| format!("cannot create a temporary file in {}", directory.display()))?;
    match image_format(path) {
        Some(format) => run_dot(program, &format, dot, temp.path())?,
        None => temp
            .write_all(dot.as_bytes())
            .with_context(|| format!("cannot write a temporary file for {}", path.display()))?,
    }
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write a temporary file for {}", path.display()))?;
    set_permissions(temp.path(), path)?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The `-T` format for `path`, by its extension (any case).
fn image_format(path: &Path) -> Option<String> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    IMAGE_FORMATS
        .contains(&extension.as_str())
        .then_some(extension)
}

/// Runs `program -T<format> -o output`, feeding it the DOT text on standard
/// input; its standard error becomes the error message when it fails.
fn run_dot(program: &str, format: &str, dot: &str, output: &Path) -> anyhow::Result<()> {
    let mut child = Command::new(program)
        .arg(format!("-T{format}"))
        .arg("-o")
        .arg(output)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => anyhow!(NOT_INSTALLED),
            _ => anyhow!(error).context("cannot run Graphviz `dot`"),
        })?;
    // Feed standard input from another thread while this one drains standard
    // error, so neither pipe can fill up and block the other. A write error
    // means `dot` exited early; its status and message tell why.
    let stdin = child.stdin.take();
    let finished = std::thread::scope(|scope| {
        scope.spawn(move || {
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(dot.as_bytes());
            }
        });
        child.wait_with_output()
    })
    .context("cannot run Graphviz `dot`")?;
    if !finished.status.success() {
        let message = String::from_utf8_lossy(&finished.stderr);
        bail!(
            "Graphviz `dot -T{format}` failed ({}): {}",
            finished.status,
            message.trim()
        );
    }
    Ok(())
}

/// Keeps the permissions of the file being replaced; a new file gets
/// `rw-r--r--` rather than the temporary file's owner-only mode.
fn set_permissions(temp: &Path, target: &Path) -> anyhow::Result<()> {
    let permissions = match std::fs::metadata(target) {
        Ok(metadata) => metadata.permissions(),
        Err(_) => new_file_permissions(temp)?,
    };
    std::fs::set_permissions(temp, permissions)
        .with_context(|| format!("cannot set permissions for {}", target.display()))
}

#[cfg(unix)]
fn new_file_permissions(_temp: &Path) -> anyhow::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions(temp: &Path) -> anyhow::Result<std::fs::Permissions> {
    Ok(std::fs::metadata(temp)?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRAPH: &str = "digraph mgmt {\n\tnode [shape=box];\n\t\"file[/tmp/a]\";\n}\n";

    fn dot_installed() -> bool {
        Command::new("dot")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// The names in `directory`, sorted (to see no temporary file is left).
    fn names(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .expect("readable")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn dot_files_get_the_text_as_is() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("graph.dot");
        render_graphviz(GRAPH, &path).expect("written");
        assert_eq!(std::fs::read_to_string(&path).expect("readable"), GRAPH);
        let other = directory.path().join("graph.gv");
        render_with("no-such-graphviz-program", GRAPH, &other).expect("no program needed");
        assert_eq!(names(directory.path()), ["graph.dot", "graph.gv"]);
    }

    #[test]
    fn replacing_a_file_keeps_its_permissions() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("graph.dot");
        std::fs::write(&path, "old").expect("written");
        let permissions = std::fs::metadata(&path).expect("stat").permissions();
        render_graphviz(GRAPH, &path).expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).expect("readable"), GRAPH);
        assert_eq!(
            std::fs::metadata(&path).expect("stat").permissions(),
            permissions
        );
    }

    #[test]
    fn image_formats_go_by_extension() {
        assert_eq!(image_format(Path::new("g.png")).as_deref(), Some("png"));
        assert_eq!(image_format(Path::new("dir/g.SVG")).as_deref(), Some("svg"));
        assert_eq!(image_format(Path::new("g.dot")), None);
        assert_eq!(image_format(Path::new("graph")), None);
    }

    #[test]
    fn a_missing_dot_is_a_clear_error_and_leaves_nothing() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("graph.png");
        let error = render_with("no-such-graphviz-program", GRAPH, &path).expect_err("fails");
        assert_eq!(error.to_string(), NOT_INSTALLED);
        assert!(names(directory.path()).is_empty());
    }

    #[test]
    fn dot_renders_svg_when_installed() {
        if !dot_installed() {
            eprintln!("skipped: Graphviz `dot` is not installed");
            return;
        }
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("graph.svg");
        render_graphviz(GRAPH, &path).expect("rendered");
        let svg = std::fs::read_to_string(&path).expect("readable");
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("file[/tmp/a]"), "{svg}");
        assert_eq!(names(directory.path()), ["graph.svg"]);
    }

    #[test]
    fn a_failing_render_reports_dot_and_keeps_the_old_file() {
        if !dot_installed() {
            eprintln!("skipped: Graphviz `dot` is not installed");
            return;
        }
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("graph.png");
        std::fs::write(&path, "previous").expect("written");
        let error = render_graphviz("digraph {", &path).expect_err("bad DOT");
        let message = error.to_string();
        assert!(
            message.starts_with("Graphviz `dot -Tpng` failed"),
            "{message}"
        );
        assert!(message.contains("syntax error"), "{message}");
        assert_eq!(std::fs::read_to_string(&path).expect("kept"), "previous");
        assert_eq!(names(directory.path()), ["graph.png"]);
    }
}
