//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! Gates: a threshold with a comparator, judged per result (and per
//! platform where the gate runs on each).

use super::{
    Error,
    policy::{GateDef, Policy},
    record::GateResultRec,
};

pub use super::terms::{Comparator, GateKind};

/// What a CI job reports for a gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// A verdict given directly (`--pass` / `--fail`).
    Verdict(bool),
    /// A measured value the ledger judges against the threshold.
    Value(f64),
}

/// The verdict for an outcome under the gate's definition in force.
pub fn judge(def: &GateDef, outcome: Outcome) -> Result<bool, Error> {
    match outcome {
        Outcome::Verdict(passed) => Ok(passed),
        Outcome::Value(value) => {
            if !value.is_finite() {
                return Err(Error::invalid("value", value, "a finite number"));
            }
            let threshold = def.threshold.ok_or_else(|| {
                Error::State(format!(
                    "gate \"{}\" has no numeric threshold; record --pass or --fail",
                    def.id
                ))
            })?;
            Ok(def.comparator.passes(value, threshold))
        }
    }
}

/// A gate result judged by the gate's definition in `policy` (the one in
/// force when the gate ran), with the threshold it was judged by.
pub fn result(
    policy: &Policy,
    gate_id: &str,
    outcome: Outcome,
    platform: Option<&str>,
    commit_sha: Option<String>,
    release: Option<&semver::Version>,
    source: Option<String>,
) -> Result<GateResultRec, Error> {
    let def = policy.require_gate(gate_id)?;
    check_platform(def, platform, &policy.platforms)?;
    let passed = judge(def, outcome)?;
    let value = match outcome {
        Outcome::Value(v) => Some(v),
        Outcome::Verdict(_) => None,
    };
    Ok(GateResultRec {
        gate: def.id.clone(),
        platform: platform.map(str::to_string),
        value,
        passed,
        comparator: value.map(|_| def.comparator.as_str().to_string()),
        threshold: value.and(def.threshold),
        commit_sha,
        release: release.map(|v| v.to_string()),
        source,
    })
}

/// Checks the platform against the gate: required and known for a
/// per-platform gate, absent otherwise.
pub fn check_platform(
    def: &GateDef,
    platform: Option<&str>,
    platforms: &[String],
) -> Result<(), Error> {
    match (def.per_platform, platform) {
        (true, None) => Err(Error::State(format!(
            "gate \"{}\" runs per platform; pass --platform with one of: {}",
            def.id,
            platforms.join(", ")
        ))),
        (true, Some(p)) if !platforms.iter().any(|k| k == p) => {
            Err(Error::unknown("platform", p, platforms.iter().cloned()))
        }
        (false, Some(p)) => Err(Error::State(format!(
            "gate \"{}\" does not run per platform; drop --platform {p}",
            def.id
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(comparator: Comparator, threshold: Option<f64>) -> GateDef {
        GateDef {
            id: "g".into(),
            title: "G".into(),
            kind: GateKind::named("conformance"),
            comparator,
            threshold,
            unit: "%".into(),
            per_platform: false,
            source: String::new(),
        }
    }

    #[test]
    fn comparators_judge_at_the_threshold() {
        assert!(Comparator::Ge.passes(80.0, 80.0));
        assert!(!Comparator::Gt.passes(80.0, 80.0));
        assert!(Comparator::Le.passes(36.0, 36.0));
        assert!(!Comparator::Lt.passes(36.0, 36.0));
        assert!(Comparator::Eq.passes(100.0, 100.0));
        assert!(!Comparator::Eq.passes(99.9, 100.0));
    }

    #[test]
    fn a_value_is_judged_and_a_verdict_is_taken_as_given() {
        let g = gate(Comparator::Ge, Some(80.0));
        assert_eq!(judge(&g, Outcome::Value(79.9)), Ok(false));
        assert_eq!(judge(&g, Outcome::Value(91.9)), Ok(true));
        assert_eq!(judge(&g, Outcome::Verdict(false)), Ok(false));
        assert!(judge(&g, Outcome::Value(f64::NAN)).is_err());
        assert!(judge(&gate(Comparator::Ge, None), Outcome::Value(1.0)).is_err());
    }

    #[test]
    fn per_platform_gates_need_a_known_platform() {
        let platforms = vec!["linux".to_string(), "macos".to_string()];
        let mut g = gate(Comparator::Eq, Some(0.0));
        g.per_platform = true;
        assert!(check_platform(&g, None, &platforms).is_err());
        assert!(check_platform(&g, Some("beos"), &platforms).is_err());
        assert!(check_platform(&g, Some("linux"), &platforms).is_ok());
        g.per_platform = false;
        assert!(check_platform(&g, Some("linux"), &platforms).is_err());
        assert!(check_platform(&g, None, &platforms).is_ok());
    }
}
