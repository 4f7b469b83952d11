//! Each locale's texts as the browser loads them before hydrating (the
//! WASM carries none): a JSON array ([`wire::i18n::texts_json`]) at
//! `/i18n/<locale>.<hash>.json`, a name that changes with the texts, so
//! browsers keep the file for good. Made once per process, with a
//! brotli copy at the highest level in release (the response compressor's
//! is for pages, made per request at a low one).

use super::Locale;
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::sync::OnceLock;

/// The path the texts are served under.
pub const PREFIX: &str = "/i18n/";

/// One locale's texts, ready to send.
pub struct Texts {
    pub locale: Locale,
    /// The file name, under [`PREFIX`]: `<locale>.<hash>.json`.
    pub file: String,
    pub json: bytes::Bytes,
    pub brotli: bytes::Bytes,
}

impl Texts {
    fn new(locale: Locale) -> Self {
        let json = wire::i18n::texts_json(locale);
        let hash = Sha256::digest(json.as_bytes());
        let hash: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        let mut brotli = Vec::new();
        {
            // A window just large enough for the file: the encoder's memory
            // grows with the window (a 4 MiB one left the allocator holding
            // about 70 MB after the encoder was dropped).
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, QUALITY, window_bits(json.len()));
            writer.write_all(json.as_bytes()).expect("compressing into memory");
        }
        Texts {
            locale,
            file: format!("{}.{hash}.json", locale.code()),
            json: json.into(),
            brotli: brotli.into(),
        }
    }

    /// The URL the browser fetches.
    pub fn url(&self) -> String {
        format!("{PREFIX}{}", self.file)
    }
}

/// Brotli's quality: 11 in a release build, as `cargo xtask build`
/// compresses the bundle (made once, sent to every visitor); 5 in a debug
/// build, whose encoder runs unoptimised: quality 11 took about half a
/// second of every start (each test server, each restart in `cargo xtask
/// dev`).
const QUALITY: u32 = if cfg!(debug_assertions) { 5 } else { 11 };

/// The smallest brotli window (in bits, 10–24) that holds `len` bytes (a
/// window of `n` bits holds 2ⁿ − 16).
fn window_bits(len: usize) -> u32 {
    (len + 16).next_power_of_two().trailing_zeros().clamp(10, 24)
}

/// Every locale's texts, made on first use (the server's start-up).
pub fn all() -> &'static [Texts] {
    static ALL: OnceLock<Vec<Texts>> = OnceLock::new();
    ALL.get_or_init(|| Locale::ALL.into_iter().map(Texts::new).collect())
}

/// The texts served as `file` (a name from [`Texts::file`]).
pub fn find(file: &str) -> Option<&'static Texts> {
    all().iter().find(|texts| texts.file == file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn each_locale_has_its_own_file_named_by_its_content() {
        let all = all();
        assert_eq!(all.len(), Locale::ALL.len());
        for texts in all {
            assert!(texts.file.starts_with(&format!("{}.", texts.locale.code())));
            assert_eq!(find(&texts.file).map(|t| t.locale), Some(texts.locale));
            let mut unpacked = Vec::new();
            brotli::Decompressor::new(&texts.brotli[..], 4096)
                .read_to_end(&mut unpacked)
                .unwrap();
            assert_eq!(unpacked, texts.json);
            assert!(texts.brotli.len() < texts.json.len() / 2);
        }
        assert!(find("en.json").is_none());
        assert!(find("../en.json").is_none());
    }

    #[test]
    fn the_window_holds_the_file_and_no_more() {
        assert_eq!(window_bits(0), 10);
        assert_eq!(window_bits(1000), 10);
        assert_eq!(window_bits(1009), 11);
        assert_eq!(window_bits(40_000), 16);
        assert_eq!(window_bits(65_520), 16);
        assert_eq!(window_bits(65_521), 17);
        assert_eq!(window_bits(usize::MAX / 4), 24);
    }
}
