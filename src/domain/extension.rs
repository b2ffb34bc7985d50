//! Extension vetting (governance: Extension Governance / Adding New
//! Extensions, Removing Extensions).

use super::policy::Policy;

/// What the vetting rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    pub license: &'a str,
    pub provenance: &'a str,
    pub doctor: Option<&'a str>,
    pub patched: bool,
    /// Whether a missing doctor verdict breaks the rule. Adding by hand
    /// needs a PASS; an imported list that carries no verdict cannot be
    /// judged on it.
    pub doctor_required: bool,
}

/// Whether a provenance pins one exact source: `git:<repo>@<40-hex commit>`
/// or `npm:<package>@<exact version>`.
pub fn is_pinnable(provenance: &str) -> bool {
    if let Some(rest) = provenance.strip_prefix("git:") {
        return match rest.rsplit_once('@') {
            Some((repo, commit)) => {
                !repo.is_empty()
                    && commit.len() == 40
                    && commit.bytes().all(|b| b.is_ascii_hexdigit())
            }
            None => false,
        };
    }
    if let Some(rest) = provenance.strip_prefix("npm:") {
        // A scoped package starts with '@', so split at the last one.
        return match rest.rsplit_once('@') {
            Some((package, version)) => {
                !package.is_empty() && package != "@" && semver::Version::parse(version).is_ok()
            }
            None => false,
        };
    }
    false
}

/// Every adding rule the candidate breaks, in the governance's order.
pub fn violations(policy: &Policy, c: &Candidate<'_>) -> Vec<String> {
    let rules = &policy.extensions;
    let mut out = Vec::new();
    if c.doctor != Some(rules.doctor_required.as_str()) && (c.doctor.is_some() || c.doctor_required)
    {
        out.push(format!(
            "doctor verdict {} (needs {})",
            c.doctor.unwrap_or("missing"),
            rules.doctor_required
        ));
    }
    if !license_is_permissive(policy, c.license) {
        out.push(format!("license {} not permissive", c.license));
    }
    if !is_pinnable(c.provenance) {
        out.push(format!("provenance not pinnable: {}", c.provenance));
    }
    if c.patched && !rules.patches_allowed {
        out.push("needs per-extension patches".to_string());
    }
    out
}

/// A license expression is permissive when every license in it is: an
/// `OR` needs one permissive choice, an `AND` needs all.
fn license_is_permissive(policy: &Policy, expr: &str) -> bool {
    let ok = |id: &str| {
        policy
            .extensions
            .permissive_licenses
            .iter()
            .any(|l| l.eq_ignore_ascii_case(id.trim_matches(|c| c == '(' || c == ')').trim()))
    };
    expr.split(" OR ")
        .any(|alt| alt.split(" AND ").all(|id| !id.trim().is_empty() && ok(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn pinnable_provenance_names_an_exact_source() {
        assert!(is_pinnable(&format!("git:https://github.com/o/r@{COMMIT}")));
        assert!(is_pinnable("npm:pi-ext@1.2.3"));
        assert!(is_pinnable("npm:@scope/pkg@0.1.0-beta.1"));
        assert!(!is_pinnable("git:https://github.com/o/r@main"));
        assert!(!is_pinnable("npm:pi-ext@^1.2"));
        assert!(!is_pinnable("npm:pi-ext"));
        assert!(!is_pinnable("https://github.com/o/r"));
    }

    #[test]
    fn every_failing_rule_is_listed() {
        let p = Policy::builtin();
        let bad = Candidate {
            license: "GPL-3.0",
            provenance: "npm:x",
            doctor: Some("fail"),
            patched: true,
            doctor_required: true,
        };
        assert_eq!(violations(&p, &bad).len(), 4);
        let good = Candidate {
            license: "MIT",
            provenance: "npm:x@1.0.0",
            doctor: Some("pass"),
            patched: false,
            doctor_required: true,
        };
        assert!(violations(&p, &good).is_empty());
        let unjudged = Candidate {
            doctor: None,
            doctor_required: false,
            ..good.clone()
        };
        assert!(violations(&p, &unjudged).is_empty());
        let missing = Candidate {
            doctor: None,
            ..good
        };
        assert_eq!(
            violations(&p, &missing),
            ["doctor verdict missing (needs pass)"]
        );
    }

    #[test]
    fn license_expressions_are_read() {
        let p = Policy::builtin();
        assert!(license_is_permissive(&p, "MIT OR Apache-2.0"));
        assert!(license_is_permissive(&p, "(MIT AND BSD-3-Clause)"));
        assert!(!license_is_permissive(&p, "MIT AND GPL-3.0"));
        assert!(!license_is_permissive(&p, "UNKNOWN"));
        assert!(!license_is_permissive(&p, ""));
    }
}
