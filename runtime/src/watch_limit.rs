//! What to tell a user whose watches do not fit: the kernel's limit on
//! inotify watches per user, its value, and how to raise it.

/// Where the kernel's limit on inotify watches per user is set.
const WATCH_LIMIT_FILE: &str = "/proc/sys/fs/inotify/max_user_watches";
/// The limit of the user namespace the agent runs in (a container's), when
/// lower.
const NAMESPACE_LIMIT_FILE: &str = "/proc/sys/user/max_inotify_watches";

/// Whether a watch error is that limit (`ENOSPC` from `inotify_add_watch`,
/// which notify reports in words).
pub fn is_watch_limit(message: &str) -> bool {
    message.contains("watch limit") || message.contains("os error 28")
}

/// One sentence with the limit's value and the fix.
pub fn advice() -> String {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
    };
    if let (Some(limit), Some(namespace)) = (read(WATCH_LIMIT_FILE), read(NAMESPACE_LIMIT_FILE)) {
        if namespace < limit {
            return format!(
                "the inotify watch limit of this user namespace ({namespace}, in \
                 {NAMESPACE_LIMIT_FILE}) is reached: raise it where the namespace is made"
            );
        }
    }
    match read(WATCH_LIMIT_FILE) {
        Some(limit) => format!(
            "the inotify watch limit ({limit} per user) is reached: raise it, e.g. \
             `sysctl fs.inotify.max_user_watches={}` (and in /etc/sysctl.d/ to keep it)",
            (limit * 4).max(524_288)
        ),
        None => "the inotify watch limit is reached: raise fs.inotify.max_user_watches".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watch_limit_is_recognised_and_explained() {
        assert!(is_watch_limit(
            "cannot watch /x: OS file watch limit reached. about [\"/x\"]"
        ));
        assert!(is_watch_limit("No space left on device (os error 28)"));
        assert!(!is_watch_limit("Permission denied (os error 13)"));
        assert!(advice().contains("fs.inotify.max_user_watches"));
    }
}
