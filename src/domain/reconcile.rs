//! Layer: middle, one governance section (see `domain::LAYERS`).
//!
//! What an import does with each item a source states, against what the
//! ledger already holds: the same item is skipped, a new one added, a
//! changed definition updated, and a release the ledger states otherwise
//! reported as a conflict and left as it is (a history is never rewritten
//! by an import).

use super::{
    Time,
    budget::Budget,
    imported::ReleaseItem,
    record::{BudgetRec, ExtensionRec, ReleaseRec},
    release::ReleaseStatus,
    time,
};

/// What to do with one stated item.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<R> {
    /// The ledger already says the same.
    Same,
    Add(R),
    /// A new version of a definition the ledger holds.
    Update(R),
    /// The ledger says otherwise: reported, nothing written.
    Conflict(String),
    /// Not recorded yet, and why (a release dated in the future).
    Later(String),
}

/// A release as the ledger lists it: its date as shown, status and flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    pub date: &'a str,
    pub status: ReleaseStatus,
    pub breaking: bool,
}

/// A release a source states, against the ledger's first row of its
/// version (`known`), at `now`.
pub fn release(known: Option<Listed<'_>>, stated: &ReleaseItem, now: Time) -> Step<ReleaseRec> {
    let date = time::date(stated.date);
    if stated.date > now {
        return Step::Later(format!(
            "{} is dated {date} ({}), in the future; not recorded",
            stated.version, stated.at
        ));
    }
    let breaking = |b: bool| if b { " breaking" } else { "" };
    match known {
        Some(k) if k.date == date && k.status == stated.status && k.breaking == stated.breaking => {
            Step::Same
        }
        Some(k) => Step::Conflict(format!(
            "{}: the ledger has {} {}{}, the source says {date} {}{} ({}); not changed",
            stated.version,
            k.date,
            k.status,
            breaking(k.breaking),
            stated.status,
            breaking(stated.breaking),
            stated.at
        )),
        None => Step::Add(ReleaseRec {
            version: stated.version.to_string(),
            date: time::format(stated.date),
            commit_sha: stated.commit.clone(),
            status: stated.status,
            breaking: stated.breaking,
            notes: None,
            committed_at: None,
            fixes: None,
            tag: stated.tag.clone(),
        }),
    }
}

/// A budget definition a summary states, against the budget in force.
pub fn budget(current: Option<&Budget>, stated: &BudgetRec) -> Step<BudgetRec> {
    match current {
        Some(c)
            if c.threshold == stated.threshold
                && c.direction == stated.direction
                && c.unit == stated.unit
                && c.ci_enforced == stated.ci_enforced
                && c.category == stated.category
                && c.metric == stated.metric =>
        {
            Step::Same
        }
        Some(_) => Step::Update(stated.clone()),
        None => Step::Add(stated.clone()),
    }
}

/// An extension an inclusion list states, against its latest entry and
/// whether it is in the corpus now (not removed since).
pub fn extension(
    latest: Option<&ExtensionRec>,
    in_corpus: bool,
    stated: ExtensionRec,
) -> Step<ExtensionRec> {
    match latest {
        Some(l) if *l == stated && in_corpus => Step::Same,
        Some(_) => Step::Update(stated),
        None => Step::Add(stated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use semver::Version;

    fn stated(date: &str, status: ReleaseStatus, breaking: bool) -> ReleaseItem {
        ReleaseItem {
            version: Version::new(1, 2, 0),
            date: time::parse(date).unwrap(),
            status,
            breaking,
            commit: None,
            tag: None,
            at: "line 3".into(),
        }
    }

    #[test]
    fn a_release_is_added_skipped_reported_or_left_for_later() {
        let now = time::parse("2026-03-01").unwrap();
        let item = stated("2026-02-01", ReleaseStatus::Released, false);
        let Step::Add(rec) = release(None, &item, now) else {
            panic!("a new release is added")
        };
        assert_eq!(
            (rec.version.as_str(), rec.date.as_str()),
            ("1.2.0", "2026-02-01T00:00:00Z")
        );
        let listed = |date, breaking| {
            Some(Listed {
                date,
                status: ReleaseStatus::Released,
                breaking,
            })
        };
        assert_eq!(release(listed("2026-02-01", false), &item, now), Step::Same);
        let Step::Conflict(why) = release(listed("2026-02-02", true), &item, now) else {
            panic!("a different date is a conflict")
        };
        assert_eq!(
            why,
            "1.2.0: the ledger has 2026-02-02 released breaking, the source says 2026-02-01 released (line 3); not changed"
        );
        let planned = stated("2026-04-01", ReleaseStatus::Released, false);
        assert!(
            matches!(release(None, &planned, now), Step::Later(w) if w.contains("in the future"))
        );
    }

    #[test]
    fn a_definition_is_updated_only_when_it_changed() {
        let rec = BudgetRec {
            budget: "cold-load".into(),
            category: "startup".into(),
            metric: "p95".into(),
            unit: "ms".into(),
            threshold: 200.0,
            direction: super::super::budget::Direction::Max,
            ci_enforced: true,
            source: None,
        };
        let current = Budget {
            id: "cold-load".into(),
            title: "Cold load".into(),
            category: "startup".into(),
            metric: "p95".into(),
            unit: "ms".into(),
            threshold: 200.0,
            direction: super::super::budget::Direction::Max,
            ci_enforced: true,
            source: "policy".into(),
        };
        assert_eq!(budget(Some(&current), &rec), Step::Same);
        let raised = BudgetRec {
            threshold: 250.0,
            ..rec.clone()
        };
        assert_eq!(
            budget(Some(&current), &raised),
            Step::Update(raised.clone())
        );
        assert_eq!(budget(None, &rec), Step::Add(rec));
    }

    #[test]
    fn an_extension_is_skipped_only_when_unchanged_and_still_in_the_corpus() {
        let rec = ExtensionRec {
            extension: "official/x".into(),
            name: "x".into(),
            tier: "official".into(),
            source_tier: None,
            license: "MIT".into(),
            provenance: "npm:x@1.0.0".into(),
            doctor: None,
            patched: false,
            score: None,
            capabilities: Vec::new(),
            origin: "import official".into(),
        };
        assert_eq!(extension(Some(&rec), true, rec.clone()), Step::Same);
        // Removed since: listed again, it comes back.
        assert_eq!(
            extension(Some(&rec), false, rec.clone()),
            Step::Update(rec.clone())
        );
        let moved = ExtensionRec {
            tier: "community".into(),
            ..rec.clone()
        };
        assert_eq!(
            extension(Some(&rec), true, moved.clone()),
            Step::Update(moved)
        );
        assert_eq!(extension(None, false, rec.clone()), Step::Add(rec));
    }
}
