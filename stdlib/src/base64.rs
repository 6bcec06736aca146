//! Standard base64 (RFC 4648, with `=` padding), as Go's
//! `base64.StdEncoding` reads and writes it. Small enough to keep here.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (index, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if index <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes, or the offset of the first character that is wrong. Line
/// breaks are skipped, as Go's decoder skips them.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, usize> {
    let symbols: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, byte)| *byte != b'\n' && *byte != b'\r')
        .collect();
    if !symbols.len().is_multiple_of(4) {
        return Err(symbols.last().map_or(0, |(at, _)| at + 1));
    }
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let chunks = symbols.chunks(4).count();
    for (number, chunk) in symbols.chunks(4).enumerate() {
        let mut n = 0u32;
        let mut padding = 0;
        for (at, byte) in chunk {
            let value = match byte {
                b'=' => {
                    padding += 1;
                    0
                }
                _ if padding > 0 => return Err(*at),
                byte => match ALPHABET.iter().position(|symbol| symbol == byte) {
                    Some(value) => value as u32,
                    None => return Err(*at),
                },
            };
            n = (n << 6) | value;
        }
        if padding > 2 || (padding > 0 && number + 1 != chunks) {
            return Err(chunk[4 - padding].0);
        }
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - padding]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let encoded = encode(text.as_bytes());
            assert_eq!(decode(&encoded).unwrap(), text.as_bytes(), "{encoded}");
        }
        assert_eq!(encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(encode(b"fo"), "Zm8=");
    }

    #[test]
    fn bad_input_reports_where() {
        assert_eq!(decode("Zm9v!mFy"), Err(4));
        assert_eq!(decode("Zm8"), Err(3));
        assert_eq!(decode("Zm=v"), Err(3));
        assert_eq!(decode("Zm8=Zm8="), Err(3));
        assert_eq!(decode("Zm9v\nYmFy").unwrap(), b"foobar");
    }
}
