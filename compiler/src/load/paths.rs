//! `/`-separated path arithmetic for imports, without touching the file system.

/// Removes `.` parts and resolves `..` against earlier parts.
pub fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(last) if *last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_owned()
    } else {
        joined
    }
}

/// `path` relative to the directory of the file `importer`.
pub fn join(importer: &str, path: &str) -> String {
    if path.starts_with('/') {
        return normalize(path);
    }
    let directory = match importer.rfind('/') {
        Some(index) => &importer[..index],
        None => "",
    };
    if directory.is_empty() && !importer.starts_with('/') {
        normalize(path)
    } else {
        normalize(&format!("{directory}/{path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_dots() {
        assert_eq!(normalize("a/./b/../c.mcl"), "a/c.mcl");
        assert_eq!(normalize("../x.mcl"), "../x.mcl");
        assert_eq!(normalize("/a/../../b"), "/b");
    }

    #[test]
    fn joins_relative_to_the_importer() {
        assert_eq!(join("main.mcl", "lib.mcl"), "lib.mcl");
        assert_eq!(join("dir/main.mcl", "../lib.mcl"), "lib.mcl");
        assert_eq!(join("/srv/app/main.mcl", "mod/"), "/srv/app/mod");
    }
}
