//! Pure types and governance rules: no database, no CLI, no rendering.
//!
//! Every rule here is a function over plain values, fed by the store and
//! judged with the policy in force, so each is unit-tested on its own.
//!
//! The modules are layered ([`LAYERS`], checked by a test): a bottom of
//! plain values (time, text, statistics, rule codes, the names users type,
//! the policy's types, the records), a middle of one module per governance
//! section, and above them what judges across sections. No module uses one
//! above it, so no two use each other.

/// Declares a closed set of names users type (`--kind api`): the enum, its
/// serde names, `as_str`, `ALL`, and a `FromStr` whose error lists the names.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
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
pub mod inputs;
pub mod integrity;
pub mod maintenance;
pub mod merkle;
pub mod note;
pub mod overview;
pub mod policy;
pub mod readiness;
pub mod reconcile;
pub mod record;
pub mod release;
pub mod rule;
pub mod stats;
pub mod status;
pub mod terms;
pub mod text;
pub mod time;
pub mod waive;
pub mod waiver;

pub use error::Error;

/// A number as the ledger words it in messages: at most two decimals, no
/// trailing zeros (`86.54`, `200`).
pub fn fmt_num(f: f64) -> String {
    let s = format!("{f:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}
pub use time::Time;

/// The domain's modules from the bottom up: a module may use only those
/// before it. Bottom (no rule of its own): errors, time, text, statistics,
/// rule codes, the names users type, signatures, the policy's types and
/// the records. Middle: one module per governance section. Upper: the
/// typed inputs of the questions and the rules that read several sections. Top: what judges
/// across sections (findings, the release check, waiving, the dashboard).
#[rustfmt::skip]
pub const LAYERS: &[&str] = &[
    // bottom
    "error", "time", "text", "stats", "rule", "terms", "merkle", "note", "integrity",
    "imported", "policy", "record",
    // middle
    "release", "gate", "waiver", "changepoint", "budget", "deprecation", "extension",
    "incident", "maintenance", "reconcile",
    // upper
    "inputs", "readiness", "delivery", "overview",
    // top
    "finding", "check", "waive", "status",
];

#[cfg(test)]
mod layers {
    use super::LAYERS;

    /// The domain modules a source uses (`super::x`, `crate::domain::x`,
    /// and the names of a `use super::{…}` group), outside its tests and
    /// comments.
    fn uses(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String = code
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let mut used = Vec::new();
        for prefix in ["super::", "crate::domain::"] {
            for (i, _) in code.match_indices(prefix) {
                let rest = &code[i + prefix.len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // The top-level names of the group.
                    let (mut depth, mut name) = (0, String::new());
                    for c in group.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            c if depth == 0 && (c.is_alphanumeric() || c == '_') => name.push(c),
                            _ => {}
                        }
                        if !(c.is_alphanumeric() || c == '_' || name.is_empty()) {
                            used.push(std::mem::take(&mut name));
                        }
                    }
                    used.push(name);
                } else {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    used.push(name);
                }
            }
        }
        used.iter()
            .map(|n| match n.as_str() {
                "Time" => "time".to_string(),
                "Error" => "error".to_string(),
                _ => n.clone(),
            })
            .filter(|n| LAYERS.contains(&n.as_str()))
            .collect()
    }

    /// Each use of a module at or above `module` in [`LAYERS`].
    fn upward(module: &str, source: &str) -> Vec<String> {
        let at = LAYERS.iter().position(|m| *m == module);
        uses(source)
            .into_iter()
            .filter(|u| u != module)
            .filter(|u| LAYERS.iter().position(|m| m == u) > at)
            .collect()
    }

    #[test]
    fn the_checker_sees_an_upward_use() {
        let source = "use super::{\n    Time,\n    budget::{self, Drift},\n    waiver::Waived,\n};\nfn f() { crate::domain::check::x(); }\n";
        assert_eq!(upward("waiver", source), ["budget", "check"]);
        assert!(upward("status", source).is_empty());
        let tests_only = "use super::Time;\n#[cfg(test)]\nmod tests { use crate::domain::status; }";
        assert!(upward("time", tests_only).is_empty());
    }

    #[test]
    fn no_domain_module_uses_one_above_it_and_each_says_its_layer() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut seen = Vec::new();
        let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                for sub in std::fs::read_dir(&path).unwrap() {
                    files.push((name.clone(), sub.unwrap().path()));
                }
            } else if path.file_stem().is_some_and(|s| s != "mod") {
                files.push((
                    path.file_stem().unwrap().to_string_lossy().to_string(),
                    path,
                ));
            }
        }
        let mut problems = Vec::new();
        for (module, path) in files {
            assert!(
                LAYERS.contains(&module.as_str()),
                "{module} has no place in LAYERS"
            );
            seen.push(module.clone());
            let source = std::fs::read_to_string(&path).unwrap();
            for up in upward(&module, &source) {
                problems.push(format!("{} uses {up}, above it", path.display()));
            }
            let first = source.lines().next().unwrap_or_default();
            if !first.contains("Layer:") {
                problems.push(format!(
                    "{}: its first comment does not say its layer",
                    path.display()
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        for m in LAYERS {
            assert!(
                seen.iter().any(|s| s == m),
                "LAYERS names {m}, which is not a module"
            );
        }
    }
}
