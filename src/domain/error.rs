//! Layer: bottom (see `domain::LAYERS`).
//!
//! The ways input can be wrong: each variant names the bad value and, where
//! it helps, what would have been accepted.

/// An invalid input or a governance rule that refuses an action.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// A name that the policy or the ledger does not know.
    #[error("unknown {what} \"{value}\"; known {}: {}", plural(what), list(known))]
    Unknown {
        what: &'static str,
        value: String,
        known: Vec<String>,
    },
    /// A value that does not parse or is out of range.
    #[error("invalid {what} \"{value}\"; expected {expected}")]
    Invalid {
        what: &'static str,
        value: String,
        expected: String,
    },
    /// A fact that the ledger already holds and may hold only once.
    #[error("{what} \"{value}\" is already recorded")]
    Duplicate { what: &'static str, value: String },
    /// An action that the governance refuses, with every rule it breaks.
    #[error("{subject} is refused: {}", rules.join("; "))]
    Refused { subject: String, rules: Vec<String> },
    /// An action that does not fit the ledger's current state.
    #[error("{0}")]
    State(String),
    /// An artifact file that cannot be imported.
    #[error("{file}{}: {message}", location.as_deref().map(|l| format!(", {l}")).unwrap_or_default())]
    Import {
        file: String,
        location: Option<String>,
        message: String,
    },
    /// A policy file that cannot be loaded.
    #[error("policy {location}: {message}")]
    Policy { location: String, message: String },
}

impl Error {
    /// Builds [`Error::Unknown`] from any list of known names.
    pub fn unknown<I, S>(what: &'static str, value: &str, known: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::Unknown {
            what,
            value: value.to_string(),
            known: known.into_iter().map(Into::into).collect(),
        }
    }

    /// Builds [`Error::Invalid`].
    pub fn invalid(what: &'static str, value: impl ToString, expected: impl Into<String>) -> Self {
        Self::Invalid {
            what,
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

fn plural(what: &str) -> String {
    match what {
        "criterion" => "criteria".to_string(),
        w if w.ends_with('s') => format!("{w}es"),
        w if w.ends_with('y') => format!("{}ies", &w[..w.len() - 1]),
        w => format!("{w}s"),
    }
}

fn list(known: &[String]) -> String {
    if known.is_empty() {
        "none yet".to_string()
    } else {
        known.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_lists_the_known_names() {
        let err = Error::unknown("gate", "clipy", ["fmt", "clippy"]);
        assert_eq!(
            err.to_string(),
            "unknown gate \"clipy\"; known gates: fmt, clippy"
        );
        let err = Error::unknown("criterion", "x", Vec::<String>::new());
        assert_eq!(
            err.to_string(),
            "unknown criterion \"x\"; known criteria: none yet"
        );
    }
}
