//! Layer: bottom (see `domain::LAYERS`).
//!
//! Signed notes and checkpoints, byte-exact with the C2SP `signed-note`
//! and `tlog-checkpoint` specifications, so that other implementations
//! (Go's `golang.org/x/mod/sumdb/note` among them) verify what the ledger
//! signs.
//!
//! - A signer key is `PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>`,
//!   its verifier key `<name>+<key id>+<base64(0x01 || public key)>`; the
//!   key id is the first four bytes of `SHA-256(name || 0x0A || 0x01 ||
//!   public key)`, in hex.
//! - A note is its text (ending in a newline), a blank line, and one line
//!   per signature: `— <name> <base64(key id || Ed25519 signature)>`.
//! - A checkpoint's text is the log's origin, the tree size and the base64
//!   root hash, one per line.

use base64::{Engine, engine::general_purpose::STANDARD};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::{Error, merkle::Hash};

/// The signature type of Ed25519 keys.
const ED25519: u8 = 0x01;
/// What starts a signature line: an em dash and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Whether `name` can name a key: non-empty, no spaces, no `+`, no
/// control characters (C2SP `signed-note`).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+')
}

/// What a checkpoint's origin may be: one non-empty line of printable
/// characters with no white space at either end. A newline in it would
/// let whoever chooses the origin choose the size and root lines that a
/// note signs.
pub fn check_origin(origin: &str) -> Result<(), Error> {
    let printable = !origin.chars().any(char::is_control);
    if origin.is_empty() || !printable || origin.trim() != origin {
        return Err(Error::invalid(
            "checkpoint origin",
            origin.escape_debug(),
            "one line of printable characters with no space at either end, such as example.org/pi/ledger",
        ));
    }
    Ok(())
}

/// Whether a note's bytes are well-formed as C2SP `signed-note` and Go's
/// `note.Open` require: no control character but the newline.
fn well_formed(note: &str) -> bool {
    !note.chars().any(|c| c.is_control() && c != '\n')
}

/// The most signature lines a note may carry (as Go's `note.Open`).
const MAX_SIGNATURES: usize = 100;

fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A key that signs notes.
#[derive(Clone)]
pub struct Signer {
    pub name: String,
    pub id: u32,
    key: SigningKey,
}

/// A key that verifies notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub id: u32,
    key: VerifyingKey,
}

fn bad_key(what: &'static str, text: &str, expected: &str) -> Error {
    // A key's secret part is never echoed back.
    let shown = text.split('+').take(3).collect::<Vec<_>>().join("+");
    Error::invalid(what, format!("{shown}+…"), expected)
}

/// What starts a signer key: its text is never shown back.
const SECRET_PREFIX: &str = "PRIVATE+KEY+";

/// Whether `text` holds a signer (secret) key anywhere.
pub fn holds_secret(text: &str) -> bool {
    text.contains(SECRET_PREFIX)
}

/// The error for a signer key given where something public is expected;
/// `shown` names where it came from, never its content.
pub fn secret_given(what: &'static str, shown: impl ToString) -> Error {
    Error::invalid(
        what,
        shown,
        "a public verifier key: this is a signer (secret) key; pass the .pub verifier key `ledger keygen` wrote beside it",
    )
}

impl std::fmt::Debug for Signer {
    // The secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}+{:08x})", self.name, self.id)
    }
}

impl Signer {
    /// The Ed25519 signature of `message`.
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// A new key from `seed` (32 random bytes).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Signer, Error> {
        if !valid_name(name) {
            return Err(Error::invalid(
                "key name",
                name,
                "a name without spaces or '+', such as example.org/pi/ledger",
            ));
        }
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(Signer {
            name: name.to_string(),
            id,
            key,
        })
    }

    /// Reads `PRIVATE+KEY+<name>+<id>+<base64>`.
    pub fn parse(text: &str) -> Result<Signer, Error> {
        let expected = "a signer key PRIVATE+KEY+<name>+<key id>+<base64> (from `ledger keygen`)";
        let text = text.trim();
        let parts: Vec<&str> = text.splitn(5, '+').collect();
        let [private, key, name, id, data] = parts[..] else {
            return Err(bad_key("signer key", text, expected));
        };
        let bytes = STANDARD
            .decode(data)
            .map_err(|_| bad_key("signer key", text, expected))?;
        if private != "PRIVATE" || key != "KEY" || bytes.len() != 33 || bytes[0] != ED25519 {
            return Err(bad_key("signer key", text, expected));
        }
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&bytes[1..]);
        let signer = Signer::from_seed(name, seed)?;
        if format!("{:08x}", signer.id) != id {
            return Err(bad_key(
                "signer key",
                text,
                "a key whose id matches its name and key",
            ));
        }
        Ok(signer)
    }

    /// `PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>`.
    pub fn encode(&self) -> String {
        let mut data = vec![ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.id,
            STANDARD.encode(data)
        )
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The note of `text` (which must end with a newline) signed by this key.
    pub fn sign(&self, text: &str) -> String {
        let signature = self.key.sign(text.as_bytes());
        let mut data = self.id.to_be_bytes().to_vec();
        data.extend_from_slice(&signature.to_bytes());
        format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(data)
        )
    }
}

impl Verifier {
    /// Reads `<name>+<id>+<base64(0x01 || public key)>`.
    pub fn parse(text: &str) -> Result<Verifier, Error> {
        let expected = "a verifier key <name>+<key id>+<base64> (from `ledger keygen`)";
        let text = text.trim();
        if holds_secret(text) {
            return Err(secret_given("verifier key", "(not shown)"));
        }
        let parts: Vec<&str> = text.splitn(3, '+').collect();
        let [name, id, data] = parts[..] else {
            return Err(Error::invalid("verifier key", text, expected));
        };
        let bytes = STANDARD
            .decode(data)
            .map_err(|_| Error::invalid("verifier key", text, expected))?;
        if !valid_name(name) || bytes.len() != 33 || bytes[0] != ED25519 {
            return Err(Error::invalid("verifier key", text, expected));
        }
        let mut public = [0u8; 32];
        public.copy_from_slice(&bytes[1..]);
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|_| Error::invalid("verifier key", text, "a valid Ed25519 public key"))?;
        let computed = key_id(name, &public);
        if format!("{computed:08x}") != id {
            return Err(Error::invalid(
                "verifier key",
                text,
                "a key whose id matches its name and key",
            ));
        }
        Ok(Verifier {
            name: name.to_string(),
            id: computed,
            key,
        })
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        Signature::from_slice(signature).is_ok_and(|s| self.key.verify_strict(message, &s).is_ok())
    }

    /// `<name>+<id>+<base64(0x01 || public key)>`.
    pub fn encode(&self) -> String {
        let mut data = vec![ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!("{}+{}", self.label(), STANDARD.encode(data))
    }

    /// `<name>+<id>`: how messages name the key.
    pub fn label(&self) -> String {
        format!("{}+{:08x}", self.name, self.id)
    }

    /// The text of `note` if this key signed it; an error saying why not
    /// otherwise. Whatever Go's `note.Open` refuses is refused: a control
    /// character, a signature block that does not end in a newline, and
    /// any line of it that is not a signature line, before or after this
    /// key's.
    pub fn open(&self, note: &str) -> Result<String, Error> {
        let invalid = |why: &str| {
            Error::invalid(
                "signed note",
                note.lines().next().unwrap_or_default().escape_debug(),
                why.to_string(),
            )
        };
        if !well_formed(note) {
            return Err(invalid("a note without control characters"));
        }
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| invalid("a text, a blank line and signature lines"))?;
        let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
        if !sigs.ends_with('\n') {
            return Err(invalid(
                "signature lines, each ending in a newline, and nothing after them",
            ));
        }
        let mut verified = false;
        for (count, line) in sigs.lines().enumerate() {
            if count == MAX_SIGNATURES {
                return Err(invalid("at most 100 signature lines"));
            }
            let Some(rest) = line.strip_prefix(SIG_PREFIX) else {
                return Err(invalid(
                    "only signature lines `— <name> <base64>` after the blank line",
                ));
            };
            let Some((name, data)) = rest.split_once(' ') else {
                return Err(invalid("signature lines `— <name> <base64>`"));
            };
            let bytes = STANDARD
                .decode(data)
                .map_err(|_| invalid("base64 signatures"))?;
            if !valid_name(name) || bytes.len() < 5 {
                return Err(invalid("signature lines `— <name> <base64>`"));
            }
            if verified
                || name != self.name
                || bytes.len() != 68
                || bytes[..4] != self.id.to_be_bytes()
            {
                continue;
            }
            let signature =
                Signature::from_slice(&bytes[4..]).map_err(|_| invalid("an Ed25519 signature"))?;
            // The first line of this key decides, as Go's note.Open does.
            self.key
                .verify_strict(text.as_bytes(), &signature)
                .map_err(|_| {
                    invalid(&format!(
                        "a valid signature by {}: this one does not verify",
                        self.name
                    ))
                })?;
            verified = true;
        }
        if !verified {
            return Err(invalid(&format!("a signature by {}", self.label())));
        }
        Ok(text.to_string())
    }
}

/// A checkpoint: a log's origin, its tree size and root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// A checkpoint of `origin`, which must be one line (see
    /// [`check_origin`]).
    pub fn new(origin: String, size: u64, root: Hash) -> Result<Checkpoint, Error> {
        check_origin(&origin)?;
        Ok(Checkpoint { origin, size, root })
    }

    /// The checkpoint's text, the part a note signs.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Reads a checkpoint's text (extension lines after the root are
    /// allowed, as the spec says).
    pub fn parse(text: &str) -> Result<Checkpoint, Error> {
        let expected = "a checkpoint: origin, tree size and base64 root hash, one per line";
        let mut lines = text.lines();
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(Error::invalid(
                "checkpoint",
                text.lines().next().unwrap_or_default(),
                expected,
            ));
        };
        let canonical = size == "0" || (!size.starts_with('0') && !size.is_empty());
        let size: u64 = size
            .parse()
            .ok()
            .filter(|_| canonical && size.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                Error::invalid(
                    "checkpoint size",
                    size.escape_debug(),
                    "a whole number in decimal",
                )
            })?;
        let root: Hash = STANDARD
            .decode(root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::invalid("checkpoint root", root, "a base64 SHA-256 hash"))?;
        Checkpoint::new(origin.to_string(), size, root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Go's `golang.org/x/mod/sumdb/note` documentation: a
    /// note signed by Go, verified here.
    const GO_VERIFIER: &str =
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const GO_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    #[test]
    fn a_note_signed_by_go_verifies() {
        let v = Verifier::parse(GO_VERIFIER).unwrap();
        assert_eq!(v.encode(), GO_VERIFIER);
        assert_eq!(v.open(GO_NOTE).unwrap(), "This is an example message.\n");
        let forged = GO_NOTE.replace("example message", "forged message!");
        assert!(v.open(&forged).is_err());
    }

    #[test]
    fn keys_round_trip_and_notes_verify_only_with_their_key() {
        let s = Signer::from_seed("example.org/pi/ledger", [7u8; 32]).unwrap();
        let again = Signer::parse(&s.encode()).unwrap();
        assert_eq!(again.verifier(), s.verifier());
        let v = Verifier::parse(&s.verifier().encode()).unwrap();
        let cp = Checkpoint {
            origin: "example.org/pi/ledger".into(),
            size: 3,
            root: [9u8; 32],
        };
        let note = s.sign(&cp.text());
        assert!(note.starts_with("example.org/pi/ledger\n3\nCQkJ"));
        assert!(note.contains("\n\n\u{2014} example.org/pi/ledger "));
        let text = v.open(&note).unwrap();
        assert_eq!(Checkpoint::parse(&text).unwrap(), cp);
        let other = Signer::from_seed("example.org/pi/ledger", [8u8; 32]).unwrap();
        assert!(other.verifier().open(&note).is_err());
        assert!(v.open(&note.replace("\n3\n", "\n4\n")).is_err());
        // A secret is never shown back in an error.
        let err = Signer::parse(&s.encode().replace("PRIVATE", "SECRET"))
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains(&s.encode()[30..]), "{err}");
    }
}
