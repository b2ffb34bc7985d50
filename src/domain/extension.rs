//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Extension vetting (governance: Extension Governance / Adding New
//! Extensions, Removing Extensions).

use super::policy::{Policy, TierDef};

/// What the vetting rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    pub tier: &'a str,
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
    match spdx::Expression::parse_mode(c.license, spdx::ParseMode::LAX) {
        Err(_) => out.push(format!(
            "license {:?} is not an SPDX license expression",
            c.license
        )),
        Ok(expr) if !satisfiable_with(&expr, &rules.permissive_licenses) => {
            out.push(format!("license {} not permissive", c.license));
        }
        Ok(expr) => {
            // governance: Tiers and Vetting ("MIT license verified").
            let tier = rules.tiers.iter().find(|t| t.id == c.tier);
            if let Some((tier, allowed)) = tier.and_then(|t| Some((t, t.licenses.as_ref()?)))
                && !satisfiable_with(&expr, allowed)
            {
                out.push(format!(
                    "license {} not allowed in the {} tier (needs {})",
                    c.license,
                    tier.id,
                    allowed.join(" or ")
                ));
            }
        }
    }
    if !is_pinnable(c.provenance) {
        out.push(format!("provenance not pinnable: {}", c.provenance));
    }
    if c.patched && !rules.patches_allowed {
        out.push("needs per-extension patches".to_string());
    }
    out
}

/// governance: Adding New Extensions, "License is permissive". Whether a
/// license expression can be satisfied with the `allowed`
/// licenses alone: an `OR` needs one allowed branch, an `AND` needs every
/// branch; a `WITH` exception keeps its license's standing.
/// `LicenseRef-` items count only when listed as such.
fn satisfiable_with(expr: &spdx::Expression, allowed: &[String]) -> bool {
    expr.evaluate(|req| {
        let name = match &req.license {
            spdx::LicenseItem::Spdx { id, .. } => id.name.to_string(),
            spdx::LicenseItem::Other(r) => format!("LicenseRef-{}", r.lic_ref),
        };
        allowed.iter().any(|l| l.eq_ignore_ascii_case(&name))
    })
}

/// How a tier's conformance pass rate stands against its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TierStanding {
    /// At or above every level the tier sets, or the tier sets none.
    Ok,
    /// Below the tier's target: a warning.
    BelowTarget,
    /// Below the level the tier requires: a release is blocked.
    BelowRequired,
}

/// Judges a tier's pass rate (governance: Tiers and Vetting, "100% pass
/// required", "90%+ pass target"); no rate yet is no finding.
pub fn tier_standing(tier: &TierDef, pass_pct: Option<f64>) -> TierStanding {
    let Some(pct) = pass_pct else {
        return TierStanding::Ok;
    };
    if tier.conformance_required_pct.is_some_and(|r| pct < r) {
        TierStanding::BelowRequired
    } else if tier.conformance_target_pct.is_some_and(|t| pct < t) {
        TierStanding::BelowTarget
    } else {
        TierStanding::Ok
    }
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
            tier: "community",
            license: "GPL-3.0",
            provenance: "npm:x",
            doctor: Some("fail"),
            patched: true,
            doctor_required: true,
        };
        assert_eq!(violations(&p, &bad).len(), 4);
        let good = Candidate {
            tier: "community",
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

    fn license_findings(tier: &str, license: &str) -> Vec<String> {
        let c = Candidate {
            tier,
            license,
            provenance: "npm:x@1.0.0",
            doctor: Some("pass"),
            patched: false,
            doctor_required: true,
        };
        violations(&Policy::builtin(), &c)
    }

    #[test]
    fn license_expressions_are_parsed_as_spdx() {
        for ok in [
            "MIT",
            "MIT OR Apache-2.0",
            "(MIT AND BSD-3-Clause)",
            "GPL-3.0-only OR (MIT AND Apache-2.0)",
            "Apache-2.0 WITH LLVM-exception",
            "MIT/Apache-2.0",
        ] {
            assert!(license_findings("community", ok).is_empty(), "{ok}");
        }
        for bad in [
            "MIT AND GPL-3.0",
            "GPL-3.0-only AND (MIT OR Apache-2.0)",
            "(MIT OR GPL-3.0-only) AND GPL-2.0-only",
            "GPL-2.0-only WITH Classpath-exception-2.0",
            "LicenseRef-Proprietary",
        ] {
            assert_eq!(
                license_findings("community", bad),
                [format!("license {bad} not permissive")],
                "{bad}"
            );
        }
        for invalid in ["", "UNKNOWN", "MIT AND", "(MIT"] {
            let found = license_findings("community", invalid);
            assert!(
                found[0].contains("is not an SPDX license expression"),
                "{found:?}"
            );
        }
    }

    /// governance: Tiers and Vetting, "Full review, MIT license verified".
    #[test]
    fn official_extensions_need_an_mit_license() {
        assert!(license_findings("official", "MIT").is_empty());
        assert!(license_findings("official", "MIT OR Apache-2.0").is_empty());
        assert_eq!(
            license_findings("official", "Apache-2.0"),
            ["license Apache-2.0 not allowed in the official tier (needs MIT)"]
        );
        assert!(license_findings("community", "Apache-2.0").is_empty());
    }

    /// governance: Tiers and Vetting, "100% pass required", "90%+ pass
    /// target".
    #[test]
    fn tier_conformance_is_judged_against_its_levels() {
        let p = Policy::builtin();
        let tier = |id: &str| p.extensions.tiers.iter().find(|t| t.id == id).unwrap();
        assert_eq!(
            tier_standing(tier("official"), Some(100.0)),
            TierStanding::Ok
        );
        assert_eq!(
            tier_standing(tier("official"), Some(91.67)),
            TierStanding::BelowRequired
        );
        assert_eq!(
            tier_standing(tier("community"), Some(90.0)),
            TierStanding::Ok
        );
        assert_eq!(
            tier_standing(tier("community"), Some(89.9)),
            TierStanding::BelowTarget
        );
        assert_eq!(tier_standing(tier("npm"), Some(10.0)), TierStanding::Ok);
        assert_eq!(tier_standing(tier("official"), None), TierStanding::Ok);
    }
}
