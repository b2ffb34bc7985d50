//! One question's reads: the frame it is judged by, then its typed input,
//! each through the indexes and the "recorded by" bound every read has.
//!
//! A method per question, named after it, fills every field of that
//! question's input (`domain::inputs`): what a rule reads is what its
//! input holds, so a question cannot forget an input. The growing series
//! (gate results, measurements, maintenance, sign-offs) are read as their
//! latest entry per key plus the window a question judges; the rest whole.

use std::collections::BTreeMap;

use super::{
    Db, Result,
    read::{AsOf, Key, Reader, in_time_order, parsed_policy, project_policy, require_project},
};
use crate::domain::{
    Time,
    deprecation::DeprecationKind,
    inputs::{
        BudgetInputs, CapabilityChanges, DashboardInputs, DeliveryInputs, DeprecationInputs,
        DriftInputs, ExtensionInputs, Frame, GateInputs, IncidentInputs, MaintenanceInputs,
        PolicyInUse, ReadinessInputs, ReleaseCheckInputs, ReleaseInputs, TierConformance,
        WaiveInputs,
    },
    policy::{MilestoneRule, Policy},
    record::{
        AttestationRec, GateResultRec, IncidentAction, IncidentEventRec, PolicyRec, ProjectRec,
        RemovalRec, Stamped, TierConformanceRec,
    },
    rule::Code,
    time,
    waiver::Waivers,
};

/// Which samples of each budget a question reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Samples {
    /// The latest sample of each budget.
    Latest,
    /// Every sample after `since`, and the latest of a budget with none
    /// after it; with `first`, each budget's first sample too (how long it
    /// has been measured); with `ci_only`, of the CI-enforced budgets only.
    Window {
        since: Time,
        first: bool,
        ci_only: bool,
    },
    /// Only the samples after `since`.
    After(Time),
}

/// A question about one project as of one moment: its frame, read once,
/// and the reader its inputs are read through.
pub struct Question<'c> {
    r: Reader<'c>,
    frame: Frame,
}

/// Starts a question about `project` as of `as_of`: the project's policy
/// in force then, when it changed, and the waivers in force then.
pub fn question<'c>(
    conn: &'c Db,
    project: &'c str,
    as_of: impl Into<AsOf>,
) -> Result<Question<'c>> {
    let as_of = as_of.into();
    require_project(conn, project)?;
    let in_force = project_policy(conn, project, as_of)?;
    let r = Reader::new(conn, project, as_of);
    let mut frame = Frame::new(project, as_of.now, in_force.policy);
    frame.policy_changes = in_force.changes;
    frame.policy_in_use = Some(PolicyInUse {
        project: frame.policy.project.clone(),
        version: in_force.version,
        source: in_force.entry.rec.source.clone(),
        loaded_at: in_force.entry.at,
        text: in_force.entry.rec.content.clone(),
    });
    frame.waivers = Waivers::new(r.all()?, as_of.now);
    Ok(Question { r, frame })
}

impl<'c> Question<'c> {
    /// What the question is judged by.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The frame, for a question done reading.
    pub fn into_frame(self) -> Frame {
        self.frame
    }

    /// The reader, for a write's own lookups of the state it changes.
    pub fn reader(&self) -> &Reader<'c> {
        &self.r
    }

    fn policy(&self) -> &Policy {
        &self.frame.policy
    }

    /// `ledger releases`: every release.
    pub fn release_inputs(&self) -> Result<ReleaseInputs> {
        Ok(ReleaseInputs {
            releases: self.r.all()?,
        })
    }

    /// `ledger gates`: the latest result of each gate on each platform.
    pub fn gate_inputs(&self) -> Result<GateInputs> {
        Ok(GateInputs {
            results: latest_gate_results(&self.r, self.policy())?,
        })
    }

    /// `ledger budgets`: the definitions and each budget's latest sample.
    pub fn budget_inputs(&self) -> Result<BudgetInputs> {
        self.budgets(Samples::Latest)
    }

    /// The budgets as they stand, without samples (what recording a
    /// measurement or accepting a shift checks a budget against).
    pub fn budget_definitions(&self) -> Result<BudgetInputs> {
        Ok(BudgetInputs {
            recorded: self.r.all()?,
            acceptances: self.r.all()?,
            ..BudgetInputs::default()
        })
    }

    /// `ledger drift --days N` (`None`: the policy's drift window): the
    /// samples of the window, and the releases since it started.
    pub fn drift_inputs(&self, days: Option<u32>) -> Result<DriftInputs> {
        let days = days.unwrap_or(self.policy().budgets.drift_days);
        let since = time::days_before(self.frame.now, days);
        Ok(DriftInputs {
            budgets: self.budgets(Samples::After(since))?,
            releases: ReleaseInputs {
                releases: self.r.after(&[], since)?,
            },
        })
    }

    /// `ledger deprecations`: every deprecation and removal, judged against
    /// every release's version.
    pub fn deprecation_inputs(&self) -> Result<DeprecationInputs> {
        Ok(DeprecationInputs {
            shipped: self.r.release_versions()?,
            deprecations: self.r.all()?,
            removals: self.r.all()?,
        })
    }

    /// `ledger deprecations --overdue`: only the deprecations no removal of
    /// their item followed (a removed item is never overdue).
    pub fn overdue_deprecation_inputs(&self) -> Result<DeprecationInputs> {
        Ok(DeprecationInputs {
            shipped: self.r.release_versions()?,
            deprecations: self.r.unremoved_deprecations()?,
            removals: Vec::new(),
        })
    }

    /// `ledger extensions`: the corpus, its removals and the latest
    /// conformance.
    pub fn extension_inputs(&self) -> Result<ExtensionInputs> {
        Ok(ExtensionInputs {
            extensions: self.r.all()?,
            removals: self.r.all()?,
            conformance: self.conformance()?,
        })
    }

    /// One extension's entries and removals (what adding or removing it
    /// judges), without the conformance.
    pub fn extension_inputs_of(&self, id: &str) -> Result<ExtensionInputs> {
        let key: [Key<'_>; 1] = [("extension", &id)];
        Ok(ExtensionInputs {
            extensions: self.r.find(&key)?,
            removals: self.r.find(&key)?,
            conformance: TierConformance::default(),
        })
    }

    /// `ledger incidents`: every incident with its events; "next release"
    /// SLAs read every release's version.
    pub fn incident_inputs(&self) -> Result<IncidentInputs> {
        Ok(IncidentInputs {
            incidents: self.r.all()?,
            events: self.r.all()?,
            shipped: self.r.release_versions()?,
        })
    }

    /// One incident with its events (what moving it along judges).
    pub fn incident_inputs_of(&self, id: i64) -> Result<IncidentInputs> {
        Ok(IncidentInputs {
            incidents: self.r.find(&[("entry_seq", &id)])?,
            events: self.r.find(&[("incident", &id)])?,
            shipped: Vec::new(),
        })
    }

    /// `ledger maintenance`: the latest completion of each task.
    pub fn maintenance_inputs(&self) -> Result<MaintenanceInputs> {
        let tasks = self.policy().maintenance.tasks.iter().map(|t| &t.id);
        Ok(MaintenanceInputs {
            completions: self.r.latest_of_each("task", tasks)?,
            introduced: self.task_introductions()?,
        })
    }

    /// `ledger readiness`: the gates, the consistency window of the
    /// CI-enforced budgets, the sign-offs and what stales them, and the
    /// releases of the milestones' versions.
    pub fn readiness_inputs(&self) -> Result<ReadinessInputs> {
        let since = time::days_before(self.frame.now, self.policy().budgets.consistency_days);
        self.readiness(Samples::Window {
            since,
            first: true,
            ci_only: true,
        })
    }

    /// Readiness with the budgets' samples of `samples`.
    fn readiness(&self, samples: Samples) -> Result<ReadinessInputs> {
        let criteria = self.policy().attestations.criteria.iter().map(|c| &c.id);
        let attestations: Vec<Stamped<AttestationRec>> =
            self.r.latest_of_each("criterion", criteria)?;
        Ok(ReadinessInputs {
            gates: self.gate_inputs()?,
            budgets: self.budgets(samples)?,
            changes: self.staling_changes(&attestations)?,
            attestations,
            milestones: self.milestone_inputs()?,
        })
    }

    /// `ledger check-release VERSION`: every release, the gates, the
    /// budgets with every sample since the last shipped release (before
    /// any, the drift window), the open incidents, the latest conformance,
    /// and the removals in `version` with their items' deprecations.
    pub fn release_check_inputs(&self, version: &str) -> Result<ReleaseCheckInputs> {
        let releases = self.release_inputs()?;
        let shipped = releases.versions();
        let since = self
            .frame
            .shipped(&shipped)
            .iter()
            .map(|s| s.date)
            .max()
            .unwrap_or_else(|| time::days_before(self.frame.now, self.policy().budgets.drift_days));
        let removals: Vec<Stamped<RemovalRec>> = self.r.find(&[("version", &version)])?;
        let mut deprecations = Vec::new();
        for removal in &removals {
            deprecations.extend(self.r.find(&[("item", &removal.rec.item)])?);
        }
        Ok(ReleaseCheckInputs {
            gates: self.gate_inputs()?,
            budgets: self.budgets(Samples::Window {
                since,
                first: false,
                ci_only: false,
            })?,
            incidents: self.open_incidents(shipped.clone())?,
            conformance: self.conformance()?,
            removals: DeprecationInputs {
                shipped,
                deprecations: in_time_order(deprecations),
                removals,
            },
            unremoved: self.overdue_deprecation_inputs()?,
            releases,
        })
    }

    /// `ledger status`: readiness over the wider of the drift and
    /// consistency windows, every release, deprecation and removal, the
    /// incidents open or of the delivery window, and each task's rhythm in
    /// that window.
    pub fn dashboard_inputs(&self) -> Result<DashboardInputs> {
        let budgets = &self.policy().budgets;
        let days = budgets.drift_days.max(budgets.consistency_days);
        let releases = self.release_inputs()?;
        let shipped = releases.versions();
        Ok(DashboardInputs {
            readiness: self.readiness(Samples::Window {
                since: time::days_before(self.frame.now, days),
                first: true,
                ci_only: false,
            })?,
            delivery: DeliveryInputs {
                deprecations: DeprecationInputs {
                    shipped: shipped.clone(),
                    deprecations: self.r.all()?,
                    removals: self.r.all()?,
                },
                incidents: self.recent_incidents(shipped)?,
                maintenance: self.recent_maintenance()?,
                releases,
            },
        })
    }

    /// `ledger delivery`: every release, deprecation, removal, incident
    /// and maintenance completion.
    pub fn delivery_inputs(&self) -> Result<DeliveryInputs> {
        let releases = self.release_inputs()?;
        let shipped = releases.versions();
        Ok(DeliveryInputs {
            deprecations: DeprecationInputs {
                shipped: shipped.clone(),
                deprecations: self.r.all()?,
                removals: self.r.all()?,
            },
            incidents: IncidentInputs {
                incidents: self.r.all()?,
                events: self.r.all()?,
                shipped,
            },
            maintenance: MaintenanceInputs {
                completions: self.r.all()?,
                introduced: self.task_introductions()?,
            },
            releases,
        })
    }

    /// `ledger waive RULE SUBJECT`: the inputs of the question that lists
    /// the rule's findings.
    pub fn waive_inputs(&self, rule: Code) -> Result<WaiveInputs> {
        Ok(match rule {
            Code::DeprecationOverdue | Code::DeprecationPremature => {
                WaiveInputs::Deprecations(self.deprecation_inputs()?)
            }
            Code::BudgetOver => WaiveInputs::Budgets(self.budget_inputs()?),
            Code::BudgetDrift => WaiveInputs::Drift(self.drift_inputs(None)?),
            Code::GateFailing | Code::GateNoEvidence => WaiveInputs::Gates(self.gate_inputs()?),
            Code::IncidentSla | Code::SecurityOpen => {
                WaiveInputs::Incidents(self.incident_inputs()?)
            }
            Code::MaintenanceOverdue => WaiveInputs::Maintenance(self.maintenance_inputs()?),
            Code::ReadinessCriterion => WaiveInputs::Readiness(self.readiness_inputs()?),
            Code::ExtensionViolation => WaiveInputs::Extensions(self.extension_inputs()?),
            Code::TierConformance => WaiveInputs::Tiers(self.conformance()?),
            Code::Integrity
            | Code::AlreadyRecorded
            | Code::VersionOrder
            | Code::BreakingNeedsMajor
            | Code::ShiftAccepted => WaiveInputs::Nothing,
        })
    }

    /// The budgets as recorded, their accepted shifts and the samples of
    /// `samples`.
    fn budgets(&self, samples: Samples) -> Result<BudgetInputs> {
        let mut b = BudgetInputs {
            recorded: self.r.all()?,
            acceptances: self.r.all()?,
            ..BudgetInputs::default()
        };
        let defs = b.defs(self.policy());
        match samples {
            Samples::After(since) => {
                b.since = Some(since);
                for d in &defs {
                    let window = self.r.samples_after(&d.id, since)?;
                    b.samples.extend(&d.id, window);
                }
            }
            Samples::Latest => {
                for d in &defs {
                    let latest = self.r.latest_sample(&d.id)?;
                    b.samples.extend(&d.id, latest);
                }
            }
            Samples::Window {
                since,
                first,
                ci_only,
            } => {
                b.since = Some(since);
                for d in defs.iter().filter(|d| d.ci_enforced || !ci_only) {
                    let mut samples = Vec::new();
                    if first {
                        samples.extend(self.r.first_sample(&d.id)?.filter(|f| f.at <= since));
                    }
                    let window = self.r.samples_after(&d.id, since)?;
                    // The latest sample is the window's last; only an empty
                    // window needs it read (one query fewer per budget).
                    if window.is_empty() {
                        samples.extend(self.r.latest_sample(&d.id)?);
                    }
                    samples.extend(window);
                    b.samples.extend(&d.id, samples);
                }
            }
        }
        Ok(b)
    }

    /// The latest conformance summary (it may hold several tiers).
    fn conformance(&self) -> Result<TierConformance> {
        let latest: Option<Stamped<TierConformanceRec>> = self.r.latest(&[], None)?;
        Ok(TierConformance {
            latest: match latest {
                Some(latest) => self.r.at(&[], latest.at)?,
                None => Vec::new(),
            },
        })
    }

    /// Which milestones have shipped, and when: the releases of the
    /// policy's milestone versions.
    pub fn milestone_inputs(&self) -> Result<ReleaseInputs> {
        let mut releases = Vec::new();
        for m in &self.policy().milestones {
            if let Some(v) = m.version() {
                releases.extend(self.r.find(&[("version", &v.to_string())])?);
            }
        }
        Ok(ReleaseInputs {
            releases: in_time_order(releases),
        })
    }

    /// The incidents not resolved now, with every event of theirs (all the
    /// release check judges: a resolved incident is never overdue).
    fn open_incidents(
        &self,
        shipped: Vec<crate::domain::inputs::ReleaseVersion>,
    ) -> Result<IncidentInputs> {
        let incidents = self.r.open_incidents()?;
        let mut events = Vec::new();
        for i in &incidents {
            events.extend(self.r.find(&[("incident", &i.seq)])?);
        }
        Ok(IncidentInputs {
            incidents,
            events: in_time_order(events),
            shipped,
        })
    }

    /// The open incidents with every event; then, of the delivery window,
    /// the incidents opened in it and those resolved in it, with the
    /// window's events (all an incident opened in it has). One opened
    /// before the window and resolved in it comes with every event: it may
    /// have been resolved before too, and its time to restore runs to its
    /// first resolve.
    fn recent_incidents(
        &self,
        shipped: Vec<crate::domain::inputs::ReleaseVersion>,
    ) -> Result<IncidentInputs> {
        let since = time::days_before(self.frame.now, self.policy().delivery.window_days);
        let IncidentInputs {
            mut incidents,
            mut events,
            ..
        } = self.open_incidents(Vec::new())?;
        incidents.extend(self.r.after(&[], since)?);
        let recent: Vec<Stamped<IncidentEventRec>> = self.r.after(&[], since)?;
        for e in recent
            .iter()
            .filter(|e| e.rec.action == IncidentAction::Resolve)
        {
            if !incidents.iter().any(|i| i.seq == e.rec.incident) {
                incidents.extend(self.r.find(&[("entry_seq", &e.rec.incident)])?);
                events.extend(self.r.find(&[("incident", &e.rec.incident)])?);
            }
        }
        events.extend(recent);
        Ok(IncidentInputs {
            incidents: in_time_order(incidents),
            events: in_time_order(events),
            shipped,
        })
    }

    /// Each task's completions in the delivery window, the one before
    /// them, and its latest (the window's last, if any).
    fn recent_maintenance(&self) -> Result<MaintenanceInputs> {
        let since = time::days_before(self.frame.now, self.policy().delivery.window_days);
        let mut done = Vec::new();
        for t in &self.policy().maintenance.tasks {
            let key: [Key<'_>; 1] = [("task", &t.id)];
            done.extend(self.r.latest_through(&key, since)?);
            done.extend(self.r.after(&key, since)?);
        }
        Ok(MaintenanceInputs {
            completions: in_time_order(done),
            introduced: self.task_introductions()?,
        })
    }

    /// When each task of the policy in force came under the project's
    /// governance: the later of the project's first entry and the earliest
    /// of the unbroken run of the project's policy versions, up to now,
    /// that lists it.
    fn task_introductions(&self) -> Result<BTreeMap<String, Time>> {
        let start = self.r.first::<ProjectRec>(&[])?.map(|p| p.at);
        let versions: Vec<Stamped<PolicyRec>> = self.r.all()?;
        let mut parsed = Vec::with_capacity(versions.len());
        for (i, v) in versions.iter().enumerate() {
            parsed.push((v.at, parsed_policy(&v.rec, i + 1)?));
        }
        let mut out = BTreeMap::new();
        for task in &self.policy().maintenance.tasks {
            let lists = |p: &Policy| p.maintenance.tasks.iter().any(|t| t.id == task.id);
            let since = parsed
                .iter()
                .rev()
                .take_while(|(_, p)| lists(p))
                .last()
                .map(|(at, _)| *at);
            let introduced = match (since, start) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            if let Some(at) = introduced {
                out.insert(task.id.clone(), at);
            }
        }
        Ok(out)
    }

    /// The first capability-policy deprecation and removal after each
    /// sign-off a capability change stales, with the removed item's
    /// deprecation.
    fn staling_changes(
        &self,
        attestations: &[Stamped<AttestationRec>],
    ) -> Result<CapabilityChanges> {
        let (mut deprecations, mut removals) = (Vec::new(), Vec::new());
        let kind = DeprecationKind::CAPABILITY_POLICY;
        for a in attestations {
            let stales = self
                .policy()
                .criterion(&a.rec.criterion)
                .is_some_and(|c| c.stale_on_capability_change);
            if stales {
                deprecations.extend(self.r.first_after(&[("kind", &kind)], a.at)?);
                if let Some(removal) = self.r.first_capability_removal_after(a.at)? {
                    let key: [Key<'_>; 2] = [("item", &removal.rec.item), ("kind", &kind)];
                    deprecations.extend(self.r.find(&key)?);
                    removals.push(removal);
                }
            }
        }
        Ok(CapabilityChanges {
            deprecations: in_time_order(deprecations),
            removals: in_time_order(removals),
        })
    }
}

/// Every sample of every budget (the reference the scoped reads are tested
/// against).
#[cfg(test)]
pub fn every_sample(r: &Reader<'_>) -> Result<crate::domain::inputs::Measurements> {
    let all: Vec<Stamped<crate::domain::record::MeasurementRec>> = r.all()?;
    Ok(all.iter().collect())
}

/// The latest result of every policy gate on each platform it runs on (or
/// on none); for the gates a milestone reads a value of, on every platform
/// and on none, with the latest result with a value; in time order.
fn latest_gate_results(r: &Reader<'_>, policy: &Policy) -> Result<Vec<Stamped<GateResultRec>>> {
    let every_platform: Vec<Option<&str>> = std::iter::once(None)
        .chain(policy.platforms.iter().map(|p| Some(p.as_str())))
        .collect();
    let valued: Vec<&str> = policy
        .milestones
        .iter()
        .flat_map(|m| &m.criteria)
        .filter(|c| c.rule == MilestoneRule::GateAtLeast)
        .filter_map(|c| c.gate.as_deref())
        .collect();
    let mut out: Vec<Stamped<GateResultRec>> = Vec::new();
    for gate in &policy.gates {
        // A gate's table row is its result on each platform it runs on;
        // a milestone reads a valued gate's latest result on any.
        let platforms = if valued.contains(&gate.id.as_str()) {
            &every_platform[..]
        } else if gate.per_platform {
            &every_platform[1..]
        } else {
            &every_platform[..1]
        };
        for platform in platforms {
            let key: [Key<'_>; 2] = [("gate", &gate.id), ("platform", platform)];
            let latest: Option<Stamped<GateResultRec>> = r.latest(&key, None)?;
            let with_value = match &latest {
                Some(l) if l.rec.value.is_some() => None,
                _ if valued.contains(&gate.id.as_str()) => r.latest(&key, Some("value"))?,
                _ => None,
            };
            out.extend(latest);
            out.extend(with_value);
        }
    }
    Ok(in_time_order(out))
}
