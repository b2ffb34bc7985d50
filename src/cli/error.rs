//! The one place where failures become exit codes and messages.
//!
//! Exit codes (the contract): 0 success; 1 a `--check` found something or
//! `verify` found a problem; 2 invalid input or usage, nothing written;
//! 3 storage failure.

use serde_json::json;

use crate::{domain, store::StoreError};

/// A failed command: what to tell the user and how to exit.
#[derive(Debug)]
pub struct CommandError {
    pub exit: u8,
    /// A stable machine-readable kind, for `--json`.
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl CommandError {
    /// Invalid input: exit 2.
    pub fn invalid(message: impl Into<String>) -> Self {
        CommandError {
            exit: 2,
            code: "invalid-input",
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The `{"error": …}` document printed with `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        json!({"error": {"code": self.code, "message": self.message, "hint": self.hint}})
    }
}

impl From<domain::Error> for CommandError {
    fn from(e: domain::Error) -> Self {
        let code = match e {
            domain::Error::Unknown { .. } => "unknown-name",
            domain::Error::Invalid { .. } => "invalid-value",
            domain::Error::Duplicate { .. } => "duplicate",
            domain::Error::Refused { .. } => "policy-violation",
            domain::Error::State(_) => "invalid-state",
            domain::Error::Policy { .. } => "invalid-policy",
            domain::Error::Import { .. } => "invalid-file",
        };
        CommandError {
            exit: 2,
            code,
            message: e.to_string(),
            hint: None,
        }
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound { .. } => CommandError {
                exit: 2,
                code: "not-found",
                message,
                hint: None,
            },
            StoreError::Missing { .. } => CommandError {
                exit: 3,
                code: "no-ledger",
                message,
                hint: Some("pass --db PATH (or set LEDGER_DB) to use another file".into()),
            },
            StoreError::Busy { .. } => CommandError {
                exit: 3,
                code: "busy",
                message,
                hint: Some("nothing was written; run the command again".into()),
            },
            StoreError::Schema { .. } => CommandError {
                exit: 3,
                code: "schema",
                message,
                hint: None,
            },
            StoreError::Open { .. }
            | StoreError::ReadOnly { .. }
            | StoreError::Replica
            | StoreError::Broken(_)
            | StoreError::Sqlite(_)
            | StoreError::Postgres(_)
            | StoreError::Interrupted => CommandError {
                exit: 3,
                code: "storage",
                message,
                hint: None,
            },
        }
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        CommandError {
            exit: 3,
            code: "io",
            message: e.to_string(),
            hint: None,
        }
    }
}
