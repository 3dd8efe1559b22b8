//! BIP-39 recovery phrases: generating a new 24-word phrase, parsing one a person typed
//! (with errors that name the bad word), and the words asked back to confirm it was written down.

use bip39::{Language, Mnemonic};
use zeroize::Zeroizing;

/// Number of words in a phrase Hallmark creates (256 bits of entropy).
pub const WORD_COUNT: usize = 24;

/// What is wrong with a recovery phrase.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MnemonicError {
    /// A word is not in the English BIP-39 list.
    #[error("word {position} '{word}' is not in the BIP-39 word list{}", suggestion_text(.suggestion))]
    UnknownWord {
        /// 1-based position of the word in the phrase.
        position: usize,
        /// The word as typed (lower-cased).
        word: String,
        /// A list word with the same first four letters, if any (BIP-39 words are unique in their first four).
        suggestion: Option<&'static str>,
    },
    /// The phrase does not have 12, 15, 18, 21 or 24 words.
    #[error("a recovery phrase has 12, 15, 18, 21 or 24 words; this one has {0}")]
    BadWordCount(usize),
    /// Every word is valid but the checksum (carried by the last word) does not match.
    #[error("the words are all valid but the phrase's checksum does not match: a word is wrong or out of order (check the last word too)")]
    BadChecksum,
    /// The random number generator of the operating system failed.
    #[error("the system random number generator failed: {0}")]
    Random(String),
}

fn suggestion_text(s: &Option<&'static str>) -> String {
    s.map(|w| format!(" (did you mean '{w}'?)")).unwrap_or_default()
}

/// The word the person most likely meant: the BIP-39 word sharing its first four letters
/// (they are unique in the list), else the single closest word within two typos.
fn suggest(list: &[&'static str; 2048], typed: &str) -> Option<&'static str> {
    let prefix: String = typed.chars().take(4).collect();
    if prefix.chars().count() == 4 {
        if let Some(w) = Language::English.words_by_prefix(&prefix).first() {
            return Some(w);
        }
    }
    let mut best: Option<(usize, &'static str)> = None;
    let mut tie = false;
    for &w in list {
        let d = strsim::damerau_levenshtein(typed, w);
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tie = true,
            _ => {
                best = Some((d, w));
                tie = false;
            }
        }
    }
    best.filter(|(d, _)| *d <= 2 && !tie).map(|(_, w)| w)
}

/// A validated recovery phrase. The words are wiped from memory when it is dropped.
pub struct RecoveryPhrase(Mnemonic);

impl RecoveryPhrase {
    /// Makes a new 24-word phrase from 256 bits of operating-system randomness.
    pub fn generate() -> Result<Self, MnemonicError> {
        let mut entropy = Zeroizing::new([0u8; 32]);
        getrandom::fill(entropy.as_mut()).map_err(|e| MnemonicError::Random(e.to_string()))?;
        let m = Mnemonic::from_entropy_in(Language::English, entropy.as_ref())
            .expect("32 bytes is a valid BIP-39 entropy length");
        Ok(Self(m))
    }

    /// Parses a phrase as typed: case and extra white space are forgiven; a bad word,
    /// word count or checksum is reported precisely.
    pub fn parse(text: &str) -> Result<Self, MnemonicError> {
        let normalized = Zeroizing::new(text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" "));
        let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
        // Check each word first so the error names the first bad one, whatever the count.
        let list = Language::English.word_list();
        for (i, w) in words.iter().enumerate() {
            if list.binary_search(w).is_err() {
                let suggestion = suggest(list, w);
                return Err(MnemonicError::UnknownWord { position: i + 1, word: (*w).to_string(), suggestion });
            }
        }
        if !matches!(words.len(), 12 | 15 | 18 | 21 | 24) {
            return Err(MnemonicError::BadWordCount(words.len()));
        }
        match Mnemonic::parse_in_normalized(Language::English, &normalized) {
            Ok(m) => Ok(Self(m)),
            Err(bip39::Error::InvalidChecksum) => Err(MnemonicError::BadChecksum),
            Err(bip39::Error::BadWordCount(n)) => Err(MnemonicError::BadWordCount(n)),
            Err(bip39::Error::UnknownWord(i)) => Err(MnemonicError::UnknownWord {
                position: i + 1,
                word: words.get(i).map(|w| w.to_string()).unwrap_or_default(),
                suggestion: None,
            }),
            Err(e) => Err(MnemonicError::Random(e.to_string())),
        }
    }

    /// The words, in order. Treat them as the wallet itself: show them once, never store or log them.
    pub fn words(&self) -> Vec<&'static str> {
        self.0.words().collect()
    }

    /// The phrase as one space-separated string, wiped on drop.
    pub fn phrase(&self) -> Zeroizing<String> {
        Zeroizing::new(self.words().join(" "))
    }

    /// The 64-byte BIP-39 seed (empty BIP-39 passphrase), wiped on drop.
    pub fn to_seed(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.0.to_seed_normalized(""))
    }

    /// Picks `n` distinct random word positions (1-based, ascending) to ask back.
    pub fn quiz_positions(&self, n: usize) -> Result<Vec<usize>, MnemonicError> {
        let total = self.0.word_count();
        let n = n.min(total);
        let mut chosen = Vec::with_capacity(n);
        while chosen.len() < n {
            let mut b = [0u8; 4];
            getrandom::fill(&mut b).map_err(|e| MnemonicError::Random(e.to_string()))?;
            let pos = (u32::from_le_bytes(b) as usize % total) + 1;
            if !chosen.contains(&pos) {
                chosen.push(pos);
            }
        }
        chosen.sort_unstable();
        Ok(chosen)
    }

    /// True when `answer` is the word at 1-based `position` (case and surrounding space ignored).
    pub fn check_word(&self, position: usize, answer: &str) -> bool {
        self.0.words().nth(position.wrapping_sub(1)).is_some_and(|w| w == answer.trim().to_lowercase())
    }
}

impl std::fmt::Debug for RecoveryPhrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryPhrase(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_JUNK: &str = "test test test test test test test test test test test junk";

    #[test]
    fn generates_24_valid_words_that_parse_back() {
        let p = RecoveryPhrase::generate().unwrap();
        assert_eq!(p.words().len(), 24);
        let again = RecoveryPhrase::parse(&p.phrase()).unwrap();
        assert_eq!(*again.to_seed(), *p.to_seed());
        assert_ne!(p.phrase(), RecoveryPhrase::generate().unwrap().phrase());
    }

    #[test]
    fn bip39_reference_vector_seed() {
        // Trezor's BIP-39 vector: "abandon ×11 about", passphrase "TREZOR".
        let m = Mnemonic::parse(
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        )
        .unwrap();
        assert_eq!(hex::encode(m.to_seed("TREZOR")), "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
    }

    #[test]
    fn names_the_unknown_word_and_suggests() {
        let typo = "abandon abandon abandon abandon abandon abandom abandon abandon abandon abandon abandon about";
        let e = RecoveryPhrase::parse(typo).unwrap_err();
        assert_eq!(e, MnemonicError::UnknownWord { position: 6, word: "abandom".into(), suggestion: Some("abandon") });
        assert_eq!(e.to_string(), "word 6 'abandom' is not in the BIP-39 word list (did you mean 'abandon'?)");
        // Typos in the first four letters are caught by edit distance; far-off words get no guess.
        let list = Language::English.word_list();
        assert_eq!(suggest(list, "tesst"), Some("test"));
        assert_eq!(suggest(list, "zebar"), Some("zebra"));
        assert_eq!(suggest(list, "qqqqqqqq"), None);
    }

    #[test]
    fn word_count_and_checksum_errors() {
        assert_eq!(RecoveryPhrase::parse("test test test").unwrap_err(), MnemonicError::BadWordCount(3));
        let bad = "test test test test test test test test test test test test";
        assert_eq!(RecoveryPhrase::parse(bad).unwrap_err(), MnemonicError::BadChecksum);
        assert!(RecoveryPhrase::parse(&format!("  {}  ", TEST_JUNK.to_uppercase())).is_ok());
    }

    #[test]
    fn quiz_positions_distinct_and_checkable() {
        let p = RecoveryPhrase::parse(TEST_JUNK).unwrap();
        let q = p.quiz_positions(3).unwrap();
        assert_eq!(q.len(), 3);
        assert!(q.windows(2).all(|w| w[0] < w[1]) && q.iter().all(|&i| (1..=12).contains(&i)));
        assert!(p.check_word(12, " JUNK "));
        assert!(!p.check_word(12, "test"));
        assert!(!p.check_word(0, "test") && !p.check_word(13, "test"));
    }
}
