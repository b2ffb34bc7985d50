//! `ledger`: a tamper-evident release ledger for a governed software project.
//!
//! One SQLite file records what happened (releases, gate results, budget
//! measurements, deprecations, extensions, incidents, maintenance, sign-offs)
//! as an append-only, hash-chained journal, and the governance rules answer
//! the questions a maintainer asks before a release.
//!
//! Dependencies point one way: `cli` parses and dispatches; `store` owns all
//! SQL; `import` reads artifact files; `report` renders; `domain` holds the
//! pure types and rules that everything else feeds.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub mod domain;
pub mod import;
pub mod report;
pub mod store;

#[cfg(test)]
mod shape {
    //! How the code reads: no function outside tests longer than a screen.

    /// The longest a function may be, in lines, signature to closing brace.
    const MAX_LINES: usize = 80;

    /// Each function of `source` (outside its tests) longer than
    /// [`MAX_LINES`]: its name and length. A function ends at the first
    /// line that closes a brace at its own indentation.
    fn long_functions(source: &str) -> Vec<(String, usize)> {
        let lines: Vec<&str> = source
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .lines()
            .collect();
        let mut long = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let signature = trimmed
                .trim_start_matches("pub ")
                .trim_start_matches("pub(super) ")
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("const ");
            let Some(rest) = signature.strip_prefix("fn ") else {
                i += 1;
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // The body opens on the signature's last line; a declaration
            // without a body (a trait's) ends in a semicolon.
            let Some(open) = (i..lines.len()).find(|&j| {
                let l = lines[j].trim_end();
                l.ends_with('{') || l.ends_with(';')
            }) else {
                break;
            };
            if lines[open].trim_end().ends_with(';') {
                i = open + 1;
                continue;
            }
            let close = (open + 1..lines.len())
                .find(|&k| {
                    let l = lines[k];
                    l.len() - l.trim_start().len() == indent && l.trim_start().starts_with('}')
                })
                .unwrap_or(lines.len() - 1);
            let length = close - i + 1;
            if length > MAX_LINES {
                long.push((name, length));
            }
            i = close + 1;
        }
        long
    }

    #[test]
    fn the_checker_measures_a_function() {
        let body = "    x();\n".repeat(MAX_LINES);
        let source = format!("fn short() {{\n    y();\n}}\n\npub fn long() {{\n{body}}}\n");
        assert_eq!(
            long_functions(&source),
            [("long".to_string(), MAX_LINES + 2)]
        );
    }

    #[test]
    fn no_function_is_longer_than_a_screen() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        let mut stack = vec![src];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs")
                    // A module of tests as a whole.
                    && path.file_name().is_some_and(|n| n != "tests.rs")
                {
                    let source = std::fs::read_to_string(&path).unwrap();
                    for (name, length) in long_functions(&source) {
                        found.push(format!("{}: {name} is {length} lines", path.display()));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "longer than {MAX_LINES} lines:\n{}",
            found.join("\n")
        );
    }
}
