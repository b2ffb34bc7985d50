//! Layer: bottom (the policy's types). The policies a project starts
//! from: `ledger policy template NAME` prints one, `ledger init --template
//! NAME` writes and loads it.

use super::super::Error;

/// A policy to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub name: &'static str,
    /// One line on what it governs.
    pub about: &'static str,
    pub text: &'static str,
}

/// Every template, the smallest first.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "minimal",
        about: "releases, deprecations with SemVer windows, incidents with SLAs",
        text: include_str!("../../../seed/templates/minimal.toml"),
    },
    Template {
        name: "rust-library",
        about: "a Rust crate: fmt, clippy, tests on three platforms, MSRV, docs, cargo audit, API deprecations, benchmarks, upkeep",
        text: include_str!("../../../seed/templates/rust-library.toml"),
    },
    Template {
        name: "rust-cli",
        about: "a Rust command-line tool: the library's gates plus binary size, API and flag deprecations",
        text: include_str!("../../../seed/templates/rust-cli.toml"),
    },
    Template {
        name: "pi-extension-platform",
        about: "the Pi extension platform's whole governance (the built-in example policy)",
        text: super::DEFAULT_TOML,
    },
];

/// The template called `name`, or an error listing them.
pub fn template(name: &str) -> Result<&'static Template, Error> {
    TEMPLATES
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| Error::unknown("template", name, TEMPLATES.iter().map(|t| t.name)))
}

impl Template {
    /// The template's text for `project`: its `project = "…"` line (and a
    /// title naming the template's project) say `project` instead.
    pub fn for_project(&self, project: Option<&str>) -> String {
        let Some(project) = project else {
            return self.text.to_string();
        };
        let mut out = String::with_capacity(self.text.len());
        let mut named = false;
        for line in self.text.split_inclusive('\n') {
            let key = line.split('=').next().unwrap_or_default().trim();
            if !named && key == "project" {
                named = true;
                out.push_str(&format!("project = {}\n", quoted(project)));
            } else if key == "title" && line.contains("my-project") {
                out.push_str(&format!(
                    "title = {}\n",
                    quoted(&format!("{project} governance"))
                ));
            } else {
                out.push_str(line);
            }
        }
        out
    }
}

/// A TOML basic string holding `s`.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::super::{Policy, Section};
    use super::*;

    #[test]
    fn every_template_parses_and_names_the_project_it_is_written_for() {
        for t in TEMPLATES {
            let p = Policy::parse(t.text, t.name).unwrap_or_else(|e| panic!("{}: {e}", t.name));
            assert!(!p.project.is_empty());
            let named = Policy::parse(&t.for_project(Some("ripgrep")), t.name).unwrap();
            assert_eq!(named.project, "ripgrep", "{}", t.name);
            if t.name != "pi-extension-platform" {
                assert_eq!(named.title, "ripgrep governance", "{}", t.name);
            }
            // Only the name changed.
            assert_eq!(
                Policy {
                    project: p.project.clone(),
                    title: p.title.clone(),
                    origin: p.origin.clone(),
                    ..named
                },
                p,
                "{}",
                t.name
            );
        }
        assert_eq!(
            template("pi-extension-platform").unwrap().text,
            super::super::DEFAULT_TOML
        );
    }

    #[test]
    fn the_minimal_template_governs_releases_deprecations_and_incidents_alone() {
        let p = Policy::parse(template("minimal").unwrap().text, "minimal").unwrap();
        let governed: Vec<Section> = Section::ALL.into_iter().filter(|s| p.governs(*s)).collect();
        assert_eq!(governed, [Section::Deprecations, Section::Incidents]);
    }

    #[test]
    fn an_unknown_template_lists_the_known_ones() {
        let e = template("rust").unwrap_err().to_string();
        assert!(e.contains("minimal") && e.contains("rust-cli"), "{e}");
    }

    #[test]
    fn a_project_name_that_needs_quoting_is_quoted() {
        let text = template("minimal").unwrap().for_project(Some("a \"b\""));
        assert_eq!(Policy::parse(&text, "t").unwrap().project, "a \"b\"");
    }
}
