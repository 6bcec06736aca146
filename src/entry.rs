//! A directory as the program's entry, as upstream mgmt allows: its
//! `metadata.yaml` names the main file (`main: "site.mcl"`), and without
//! one, or without that field, the main file is `main.mcl`. Files and `-`
//! (standard input) pass through unchanged; reading them is `source.rs`'s job.

use std::path::{Path, PathBuf};

/// The file to read for the entry `path`.
pub fn main_file(path: &Path) -> Result<PathBuf, String> {
    if path == Path::new("-") || !path.is_dir() {
        return Ok(path.to_owned());
    }
    let metadata = metadata_file(path);
    let main = match std::fs::read_to_string(&metadata) {
        Ok(text) => main_field(&text)
            .map_err(|problem| format!("{}: {problem}", metadata.display()))?
            .unwrap_or_else(|| "main.mcl".to_owned()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "main.mcl".to_owned(),
        Err(error) => return Err(format!("cannot read {}: {error}", metadata.display())),
    };
    let file = path.join(&main);
    if !file.is_file() {
        return Err(format!(
            "{} is a directory without its main file {main} (a directory entry holds \
             main.mcl, or a metadata.yaml whose `main:` names the file)",
            path.display()
        ));
    }
    Ok(file)
}

/// The `metadata.yaml` of a directory entry (which may not exist).
pub fn metadata_file(directory: &Path) -> PathBuf {
    directory.join("metadata.yaml")
}

/// The top-level `main:` of a metadata.yaml (the only field read here),
/// quoted or not, with a trailing `# comment` allowed.
fn main_field(text: &str) -> Result<Option<String>, String> {
    for line in text.lines() {
        let Some(value) = line.strip_prefix("main:") else {
            continue;
        };
        let value = value.trim();
        let value = match value.chars().next() {
            Some(quote @ ('"' | '\'')) => value[1..]
                .split_once(quote)
                .map(|(inside, _)| inside)
                .ok_or_else(|| format!("`main:` has an unclosed {quote}"))?,
            _ => value.split(" #").next().unwrap_or_default().trim(),
        };
        if value.is_empty() {
            return Err("`main:` names no file".to_owned());
        }
        if Path::new(value).is_absolute() {
            return Err(format!(
                "`main:` must name a file inside the directory, not {value}"
            ));
        }
        return Ok(Some(value.to_owned()));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_field_is_read_quoted_or_not() {
        assert_eq!(main_field("main: site.mcl\n"), Ok(Some("site.mcl".into())));
        assert_eq!(
            main_field("# a module\nmain: \"a b.mcl\" # entry\npath: x/\n"),
            Ok(Some("a b.mcl".into()))
        );
        assert_eq!(main_field("main: 'x.mcl'"), Ok(Some("x.mcl".into())));
        assert_eq!(main_field("files: files/\n"), Ok(None));
        assert!(main_field("main:\n").is_err());
        assert!(main_field("main: \"x.mcl\n").is_err());
        assert!(main_field("main: /etc/x.mcl\n").is_err());
    }

    #[test]
    fn a_directory_without_a_main_file_is_explained() {
        let dir = tempfile::tempdir().expect("temp dir");
        let problem = main_file(dir.path()).expect_err("no main.mcl");
        assert!(
            problem.contains("without its main file main.mcl"),
            "{problem}"
        );
        std::fs::write(dir.path().join("main.mcl"), "").expect("written");
        assert_eq!(main_file(dir.path()), Ok(dir.path().join("main.mcl")));
        std::fs::write(dir.path().join("metadata.yaml"), "main: site.mcl\n").expect("written");
        std::fs::write(dir.path().join("site.mcl"), "").expect("written");
        assert_eq!(main_file(dir.path()), Ok(dir.path().join("site.mcl")));
    }
}
