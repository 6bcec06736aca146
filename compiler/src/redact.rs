//! How a secret is shown: `Meta:sensitive` values, and content the agent
//! must not echo (a file others may not read), appear in diffs, logs and
//! graph output only as their size and a short digest, enough to tell
//! whether they changed and never the value.
//!
//! The digest is the first 16 hex digits of the value's SHA-256: it lets a
//! reader confirm a guess, so a secret short enough to guess is only as safe
//! as that (see `docs/resources.md`).

use sha2::{Digest, Sha256};

/// `[redacted: N bytes, sha256 0123456789abcdef]`.
pub fn redacted(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("[redacted: {} bytes, sha256 {hex}]", bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_and_a_short_digest_are_shown_never_the_value() {
        let shown = redacted(b"-password=oldsecret\n");
        assert_eq!(
            shown,
            "[redacted: 20 bytes, sha256 ".to_owned() + &shown[28..]
        );
        assert!(!shown.contains("oldsecret"));
        assert_eq!(shown.len(), "[redacted: 20 bytes, sha256 ]".len() + 16);
        assert_ne!(shown, redacted(b"-password=newsecret\n"));
        assert_eq!(
            redacted(b""),
            "[redacted: 0 bytes, sha256 e3b0c44298fc1c14]"
        );
    }
}
