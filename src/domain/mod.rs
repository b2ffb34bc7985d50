//! Pure types and governance rules: no database, no CLI, no rendering.
//!
//! Every rule here is a function over plain values, fed by the store and
//! judged with the policy in force, so each is unit-tested on its own.

/// Declares a closed set of names users type (`--kind api`): the enum, its
/// serde names, `as_str`, `ALL`, and a `FromStr` whose error lists the names.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name users type and the ledger stores.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::Error::unknown(
                        $what,
                        s,
                        $name::ALL.iter().map(|v| v.as_str()),
                    )),
                }
            }
        }
    };
}

pub mod budget;
pub mod changepoint;
pub mod check;
pub mod delivery;
pub mod deprecation;
pub mod error;
pub mod extension;
pub mod finding;
pub mod gate;
pub mod imported;
pub mod incident;
pub mod integrity;
pub mod maintenance;
pub mod merkle;
pub mod note;
pub mod overview;
pub mod policy;
pub mod readiness;
pub mod record;
pub mod release;
pub mod rule;
pub mod snapshot;
pub mod status;
pub mod text;
pub mod time;
pub mod waiver;

pub use error::Error;

/// A number as the ledger words it in messages: at most two decimals, no
/// trailing zeros (`86.54`, `200`).
pub fn fmt_num(f: f64) -> String {
    let s = format!("{f:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}
pub use snapshot::Snapshot;
pub use time::Time;
