//! `ledger import KIND FILE`: one artifact file, one transaction.
//!
//! Importing records reality: what the file says is kept as entries, facts
//! already in the ledger are skipped, and disagreements and policy
//! violations are reported rather than silently resolved. Importing the
//! same file again changes nothing.

use std::collections::{HashMap, HashSet, hash_map::Entry};
use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{CommandError, Context, Output};
use crate::domain::{
    Error, Time,
    gate::{self, Outcome},
    policy::Policy,
    record::*,
    time,
};
use crate::import::{self, ImportKind, Summary, file_error};
use crate::report;
use crate::store::{self, Question, Store};

/// Import a CI artifact, or a project's release history, as it is.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  ledger import changelog CHANGELOG.md          # Keep a Changelog, setext, dates in words, ...
  ledger import changelog CHANGELOG.md --strict # all or nothing
  ledger import git-tags --repo ../project --pattern 'v*'
  gh release list --json tagName,name,publishedAt,isDraft,isPrerelease > releases.json
  ledger import github-releases releases.json
  ledger import budget-events budget_events.jsonl --at 2026-02-08
  ledger import criterion target/criterion      # into the budgets with source = \"criterion:ID\"
  hyperfine --export-json bench.json 'rg foo' && ledger import hyperfine bench.json
  cargo audit --json > audit.json; ledger import cargo-audit audit.json
  ledger import junit target/nextest/ci/junit.xml --platform linux

Importing the same source twice changes nothing; a disagreement with what
is recorded is reported, never overwritten. --check exits 1 when anything
was not recorded or conflicts (and still writes what it could read).")]
pub struct ImportArgs {
    /// What the source is.
    #[arg(value_enum)]
    pub kind: ImportKind,
    /// The file (every kind but git-tags; for criterion, its folder).
    pub file: Option<PathBuf>,
    /// When the file's facts happened, where the file does not say
    /// (default: now).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// git-tags: the repository (default: the current folder).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// git-tags: only tags matching this git glob (e.g. 'v*').
    #[arg(long, value_name = "GLOB")]
    pub pattern: Option<String>,
    /// junit: the platform the tests ran on (for a gate that runs on
    /// each platform).
    #[arg(long, value_name = "NAME")]
    pub platform: Option<String>,
    /// changelog: all or nothing; exit 2 on the first release heading that
    /// cannot be read, instead of listing it and recording the rest.
    #[arg(long)]
    pub strict: bool,
}

/// Files above this many items show a progress bar on a terminal.
const PROGRESS_FROM: usize = 50;

pub(super) fn import(
    ctx: &Context,
    a: &ImportArgs,
    _err: &mut dyn Write,
) -> Result<Output, CommandError> {
    let file = source(a)?;
    let name = file.display().to_string();
    let text = match a.kind {
        ImportKind::BudgetEvents | ImportKind::GitTags | ImportKind::Criterion => String::new(),
        _ => read(ctx, &file)?,
    };
    let dating = Dating {
        fallback: ctx.effective(a.at.as_deref())?,
        clock: ctx.clock,
        file: &name,
    };
    let mut store = ctx.writer()?;
    let project = ctx.project(&store)?;
    let mut to = Target {
        store: &mut store,
        ctx,
        project: &project,
    };
    let summary = record(&mut to, &dating, a, &file, &text)?;
    let summary = Summary {
        kind: clap::ValueEnum::to_possible_value(&a.kind)
            .map(|v| v.get_name().to_string())
            .unwrap_or_default(),
        file: name,
        ..summary
    };
    // A release history that lists what it could not record is a finding
    // for --check, as conflicts and violations are.
    let history = matches!(
        a.kind,
        ImportKind::Changelog | ImportKind::GitTags | ImportKind::GithubReleases
    );
    let flagged = !summary.conflicts.is_empty()
        || !summary.violations.is_empty()
        || (history && !summary.notes.is_empty());
    Ok(Output::flagged(report::import_summary(&summary), flagged))
}

/// Reads the source as its kind says and records what it states.
fn record(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    a: &ImportArgs,
    file: &std::path::Path,
    text: &str,
) -> Result<Summary, CommandError> {
    let name = dating.file;
    Ok(match a.kind {
        ImportKind::Changelog => {
            record_releases(to, import::changelog::parse(name, text, a.strict)?)?
        }
        ImportKind::GitTags => {
            record_releases(to, import::git_tags::read(file, a.pattern.as_deref())?)?
        }
        ImportKind::GithubReleases => {
            record_releases(to, import::github_releases::parse(name, text)?)?
        }
        ImportKind::BudgetSummary => budget_summary(to, dating, text)?,
        ImportKind::BudgetEvents => budget_events(to, dating, file)?,
        ImportKind::ConformanceSummary => conformance_summary(to, dating, text)?,
        ImportKind::InclusionList => inclusion_list(to, dating, text)?,
        ImportKind::Hyperfine => bench_results(
            to,
            dating,
            "hyperfine",
            import::bench::hyperfine(name, text)?,
        )?,
        ImportKind::Bmf => bench_results(to, dating, "bmf", import::bench::bmf(name, text)?)?,
        ImportKind::Criterion => {
            bench_results(to, dating, "criterion", import::bench::criterion(file)?)?
        }
        ImportKind::CargoAudit => cargo_audit(to, dating, import::cargo_audit::parse(name, text)?)?,
        ImportKind::Junit => junit(
            to,
            dating,
            a.platform.as_deref(),
            import::junit::parse(name, text)?,
        )?,
    })
}

/// The file or repository an import reads, once its flags agree with its
/// kind.
fn source(a: &ImportArgs) -> Result<PathBuf, CommandError> {
    if a.kind != ImportKind::GitTags && (a.repo.is_some() || a.pattern.is_some()) {
        return Err(CommandError::invalid(
            "--repo and --pattern apply to git-tags only",
        ));
    }
    if a.platform.is_some() && a.kind != ImportKind::Junit {
        return Err(CommandError::invalid("--platform applies to junit only"));
    }
    if a.strict && a.kind != ImportKind::Changelog {
        return Err(CommandError::invalid(
            "--strict applies to changelog only (the other imports are all or nothing)",
        ));
    }
    match (a.kind, &a.file) {
        (ImportKind::GitTags, Some(f)) => Err(CommandError::invalid(format!(
            "git-tags reads a repository, not a file ({}); pass --repo PATH",
            f.display()
        ))),
        (ImportKind::GitTags, None) => Ok(a.repo.clone().unwrap_or_else(|| PathBuf::from("."))),
        (_, Some(f)) => Ok(f.clone()),
        (_, None) => Err(CommandError::invalid("this import needs a FILE")),
    }
}

/// When a file's facts happened: the time it states (never in the
/// future), else `--at`, else now.
struct Dating<'a> {
    fallback: Time,
    clock: Time,
    file: &'a str,
}

impl Dating<'_> {
    fn at(&self, stated: Option<Time>) -> Result<Time, CommandError> {
        match stated {
            Some(t) if t > self.clock => Err(file_error(
                self.file,
                Some("field generated_at".into()),
                format!("{} is in the future", time::format(t)),
            )
            .into()),
            Some(t) => Ok(t),
            None => Ok(self.fallback),
        }
    }
}

/// Where an import writes: the ledger, the command's context, the project.
struct Target<'a> {
    store: &'a mut Store,
    ctx: &'a Context,
    project: &'a str,
}

/// A budget summary: each definition added, updated or already there.
fn budget_summary(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    text: &str,
) -> Result<Summary, CommandError> {
    use crate::domain::reconcile::{self, Step};
    let s = import::budget_summary::parse(dating.file, text)?;
    let at = dating.at(s.generated_at)?;
    write(to, s.budgets.len(), |q, w| {
        let current = q.budget_definitions()?.defs(&q.frame().policy);
        for b in &s.budgets {
            w.tick();
            match reconcile::budget(current.iter().find(|c| c.id == b.budget), b) {
                Step::Update(rec) => w.update(at, &rec)?,
                Step::Add(rec) => w.add(at, &rec)?,
                _ => w.summary.skipped += 1,
            }
        }
        Ok(())
    })
}

/// Budget events, streamed one line at a time: each measurement added
/// unless the same value of its budget is already there at that time.
fn budget_events(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    file: &std::path::Path,
) -> Result<Summary, CommandError> {
    let (ctx, name) = (to.ctx, dating.file);
    let lines = count_lines(open(ctx, file)?)
        .map_err(|e| CommandError::invalid(format!("cannot read {name}: {e}")))?;
    let at = dating.fallback;
    write(to, lines, |q, w| {
        let reader = q.reader();
        let known = q.budget_definitions()?.defs(&q.frame().policy);
        // The only measurements an event can repeat: those of its
        // budget at the same time, looked up once per budget.
        let mut seen: HashMap<String, HashSet<u64>> = HashMap::new();
        let input = open(ctx, file).map_err(|e| file_error(name, None, e.message))?;
        import::budget_events::for_each(name, input, |e| {
            w.tick();
            if !known.iter().any(|b| b.id == e.budget) {
                let err = Error::unknown("budget", &e.budget, known.iter().map(|b| b.id.clone()));
                return Err(file_error(
                    name,
                    Some(format!("line {}", e.line)),
                    format!("{err}; import the budget summary first"),
                )
                .into());
            }
            let Some(value) = e.value else {
                w.summary.no_data += 1;
                return Ok(());
            };
            let values = match seen.entry(e.budget.clone()) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => {
                    let rows: Vec<Stamped<MeasurementRec>> =
                        reader.at(&[("budget", &e.budget)], at)?;
                    v.insert(rows.iter().map(|m| m.rec.value.to_bits()).collect())
                }
            };
            if values.contains(&value.to_bits()) {
                w.summary.skipped += 1;
                return Ok(());
            }
            let rec = MeasurementRec {
                budget: e.budget,
                value,
                commit_sha: None,
                source: e.source,
            };
            w.add(at, &rec)
        })?;
        Ok(())
    })
}

/// Benchmark results: each series a budget of the policy watches (its
/// `source` is `TOOL:NAME`) becomes a measurement in the budget's unit,
/// unless the same value is there at that time; a series no budget
/// watches is listed, never invented into a budget.
fn bench_results(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    tool: &str,
    series: Vec<import::bench::Series>,
) -> Result<Summary, CommandError> {
    let (at, name) = (dating.fallback, dating.file);
    write(to, series.len(), |q, w| {
        let defs = q.budget_definitions()?.defs(&q.frame().policy);
        let prefix = format!("{tool}:");
        let watched: Vec<(&crate::domain::budget::Budget, &str)> = defs
            .iter()
            .filter_map(|b| b.source.strip_prefix(prefix.as_str()).map(|n| (b, n)))
            .collect();
        for s in &series {
            w.tick();
            let Some((b, _)) = watched.iter().find(|(_, n)| *n == s.name) else {
                w.summary.notes.push(format!(
                    "{} is watched by no budget (a budget with source = \"{tool}:{}\" would)",
                    s.name, s.name
                ));
                continue;
            };
            let value = import::bench::convert(s.statistic(&b.metric), s.unit, &b.unit)
                .ok_or_else(|| {
                    file_error(
                        name,
                        Some(s.name.clone()),
                        format!(
                            "{tool} reports it in {}, which does not convert to budget {}'s unit {}",
                            if s.unit.is_empty() { "its own unit" } else { s.unit },
                            b.id,
                            b.unit
                        ),
                    )
                })?;
            let value = crate::domain::budget::measured(value)?;
            let same: Vec<Stamped<MeasurementRec>> = q.reader().at(&[("budget", &b.id)], at)?;
            if same.iter().any(|m| m.rec.value == value) {
                w.summary.skipped += 1;
                continue;
            }
            let rec = MeasurementRec {
                budget: b.id.clone(),
                value,
                commit_sha: None,
                source: Some(format!("{tool}:{}", s.name)),
            };
            w.add(at, &rec)?;
        }
        for (b, n) in &watched {
            if !series.iter().any(|s| s.name == *n) {
                w.summary.missing.push(format!("{} ({tool}:{n})", b.id));
            }
        }
        Ok(())
    })
}

/// `cargo audit --json`: the number of known vulnerabilities as a result
/// of the gate whose `source` is `cargo-audit`, unless the same one is
/// there at that time.
fn cargo_audit(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    audit: import::cargo_audit::Audit,
) -> Result<Summary, CommandError> {
    let at = dating.fallback;
    write(to, 1, |q, w| {
        w.tick();
        let policy = &q.frame().policy;
        let Some(def) = policy.gates.iter().find(|g| g.source == "cargo-audit") else {
            w.summary.notes.push(
                "no gate of the policy has source = \"cargo-audit\", so the audit was not recorded"
                    .into(),
            );
            return Ok(());
        };
        let value = audit.vulnerabilities as f64;
        let at_text = time::format(at);
        let key: [store::Key<'_>; 3] = [
            ("gate", &def.id),
            ("platform", &None::<String>),
            ("effective_at", &at_text),
        ];
        let same: Vec<Stamped<GateResultRec>> = q.reader().find(&key)?;
        if same.iter().any(|r| r.rec.value == Some(value)) {
            w.summary.skipped += 1;
            return Ok(());
        }
        let source = Some("cargo-audit".to_string());
        let rec = gate::result(
            policy,
            &def.id,
            Outcome::Value(value),
            None,
            None,
            None,
            source,
        )?;
        if !rec.passed {
            w.summary.violations.push(format!(
                "{}: {} known vulnerabilit{} ({})",
                def.id,
                audit.vulnerabilities,
                if audit.vulnerabilities == 1 {
                    "y"
                } else {
                    "ies"
                },
                audit.ids.join(", ")
            ));
        }
        w.add(at, &rec)
    })
}

/// A JUnit report: the pass rate in percent (or, for a gate whose unit is
/// not a percentage, the number of failed cases) as a result of the gate
/// whose `source` is `junit`, unless the same one is there at that time.
fn junit(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    platform: Option<&str>,
    tally: import::junit::Tally,
) -> Result<Summary, CommandError> {
    let (at, name) = (dating.fallback, dating.file);
    write(to, 1, |q, w| {
        w.tick();
        let policy = &q.frame().policy;
        let Some(def) = policy.gates.iter().find(|g| g.source == "junit") else {
            w.summary.notes.push(
                "no gate of the policy has source = \"junit\", so the report was not recorded"
                    .into(),
            );
            return Ok(());
        };
        let value = if def.unit.contains('%') {
            let Some(pct) = tally.pass_pct() else {
                w.summary.no_data += 1;
                return Ok(());
            };
            pct
        } else {
            tally.failed as f64
        };
        let rec = gate::result(
            policy,
            &def.id,
            Outcome::Value(value),
            platform,
            None,
            None,
            Some(format!("junit: {name}")),
        )?;
        let at_text = time::format(at);
        let key: [store::Key<'_>; 3] = [
            ("gate", &def.id),
            ("platform", &rec.platform),
            ("effective_at", &at_text),
        ];
        let same: Vec<Stamped<GateResultRec>> = q.reader().find(&key)?;
        if same.iter().any(|r| r.rec.value == Some(value)) {
            w.summary.skipped += 1;
            return Ok(());
        }
        if !rec.passed {
            w.summary.violations.push(format!(
                "{}: {} of {} cases failed ({}{})",
                def.id,
                tally.failed,
                tally.passed + tally.failed,
                tally.failures.join(", "),
                if tally.failed as usize > tally.failures.len() {
                    ", ..."
                } else {
                    ""
                }
            ));
        }
        w.add(at, &rec)
    })
}

/// A conformance summary: the corpus gates' results and each tier's
/// counts, skipped when the same ones are there at that time.
fn conformance_summary(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    text: &str,
) -> Result<Summary, CommandError> {
    let name = dating.file;
    let s = import::conformance::parse(name, text)?;
    let at = dating.at(s.generated_at)?;
    let source = Some(name.to_string());
    let policy = store::project_policy(to.store.conn(), to.project, at)?.policy;
    let items = 4 + s.per_tier.len();
    write(to, items, |q, w| {
        let (reader, now_policy) = (q.reader(), &q.frame().policy);
        let at_text = time::format(at);
        let results = [
            ("corpus-pass-rate", s.pass_rate_pct()),
            ("max-failures", Some(s.counts.fail as f64)),
            ("max-na", Some(s.counts.na as f64)),
            ("policy-negative", s.negative_pct()),
        ];
        for (gate, value) in results {
            w.tick();
            let Some(value) = value else {
                w.summary.no_data += 1;
                continue;
            };
            if now_policy.gate(gate).is_none() {
                continue;
            }
            let key: [store::Key<'_>; 3] = [
                ("gate", &gate),
                ("platform", &None::<String>),
                ("effective_at", &at_text),
            ];
            let same: Vec<Stamped<GateResultRec>> = reader.find(&key)?;
            if same.iter().any(|r| r.rec.value == Some(value)) {
                w.summary.skipped += 1;
                continue;
            }
            let rec = gate::result(
                &policy,
                gate,
                Outcome::Value(value),
                None,
                None,
                None,
                source.clone(),
            )?;
            if !rec.passed {
                w.summary.violations.push(format!(
                    "{gate} is {} (needs {} {})",
                    crate::report::number(value),
                    rec.comparator.clone().unwrap_or_default(),
                    rec.threshold.map(crate::report::number).unwrap_or_default()
                ));
            }
            w.add(at, &rec)?;
        }
        let tiers: Vec<Stamped<TierConformanceRec>> = reader.find(&[("effective_at", &at_text)])?;
        for (source_tier, c) in &s.per_tier {
            w.tick();
            if tiers.iter().any(|t| &t.rec.source_tier == source_tier) {
                w.summary.skipped += 1;
                continue;
            }
            let rec = TierConformanceRec {
                source_tier: source_tier.clone(),
                tier: now_policy.tier_of(source_tier).map(str::to_string),
                pass: c.pass,
                fail: c.fail,
                na: c.na,
                total: c.total,
            };
            w.add(at, &rec)?;
        }
        Ok(())
    })
}

/// An inclusion list: each extension added, updated or already there;
/// those of the corpus it no longer lists reported missing, and the
/// corpus judged as it now stands.
fn inclusion_list(
    to: &mut Target<'_>,
    dating: &Dating<'_>,
    text: &str,
) -> Result<Summary, CommandError> {
    use crate::domain::reconcile::{self, Step};
    let name = dating.file;
    let list = import::inclusion::parse(name, text)?;
    let at = dating.at(list.generated_at)?;
    let mut s = write(to, list.entries.len(), |q, w| {
        let corpus = q.extension_inputs()?;
        let current = corpus.rows(q.frame());
        for e in &list.entries {
            w.tick();
            let rec = listed_extension(&q.frame().policy, name, e)?;
            let latest = corpus.extensions.iter().rfind(|x| x.rec.extension == e.id);
            let in_corpus = current.iter().any(|c| c.id == e.id && !c.removed);
            match reconcile::extension(latest.map(|x| &x.rec), in_corpus, rec) {
                Step::Update(rec) => w.update(at, &rec)?,
                Step::Add(rec) => w.add(at, &rec)?,
                _ => w.summary.skipped += 1,
            }
        }
        for c in current.iter().filter(|c| !c.removed) {
            if !list.entries.iter().any(|e| e.id == c.id) {
                w.summary.missing.push(c.id.clone());
            }
        }
        Ok(())
    })?;
    // Violations are judged on the corpus as it now stands.
    let q = to.store.question(to.project, to.ctx.clock)?;
    for row in q.extension_inputs()?.rows(q.frame()) {
        if !row.removed && !row.violations.is_empty() && list.entries.iter().any(|e| e.id == row.id)
        {
            s.violations
                .push(format!("{}: {}", row.id, row.violations.join("; ")));
        }
    }
    for id in &list.repeated {
        s.conflicts.push(format!(
            "{id} is listed more than once; the first listing was kept"
        ));
    }
    Ok(s)
}

/// The entry an inclusion list's item states, in the policy's tier its
/// source tier maps to.
fn listed_extension(
    policy: &Policy,
    name: &str,
    e: &import::inclusion::Listed,
) -> Result<ExtensionRec, Error> {
    let tier = policy.tier_of(&e.source_tier).ok_or_else(|| {
        file_error(
            name,
            Some(format!("{} entry \"{}\"", e.list, e.id)),
            format!(
                "source tier \"{}\" maps to no policy tier ({})",
                e.source_tier,
                policy.tier_ids().join(", ")
            ),
        )
    })?;
    Ok(ExtensionRec {
        extension: e.id.clone(),
        name: e.name.clone(),
        tier: tier.to_string(),
        source_tier: Some(e.source_tier.clone()),
        license: e.license.clone(),
        provenance: e.provenance.clone(),
        doctor: e.doctor.clone(),
        patched: e.patched,
        score: e.score,
        capabilities: e.capabilities.clone(),
        origin: format!("import {}", e.list),
    })
}

/// The file as a stream of lines (an embedded demo file, or the disk).
fn open(ctx: &Context, path: &std::path::Path) -> Result<Box<dyn BufRead>, CommandError> {
    let wanted = path.to_string_lossy();
    if let Some((_, text)) = ctx.embedded.iter().find(|(name, _)| *name == wanted) {
        return Ok(Box::new(text.as_bytes()));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| CommandError::invalid(format!("cannot read {}: {e}", path.display())))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file)))
}

/// How many lines a stream has (a last line without a newline counts).
fn count_lines(mut input: Box<dyn BufRead>) -> std::io::Result<usize> {
    let (mut lines, mut last) = (0, b'\n');
    loop {
        let chunk = input.fill_buf()?;
        let Some(&end) = chunk.last() else {
            break;
        };
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        last = end;
        let n = chunk.len();
        input.consume(n);
    }
    Ok(lines + usize::from(last != b'\n'))
}

fn read(ctx: &Context, path: &std::path::Path) -> Result<String, CommandError> {
    let wanted = path.to_string_lossy();
    if let Some((_, text)) = ctx.embedded.iter().find(|(name, _)| *name == wanted) {
        return Ok(text.to_string());
    }
    std::fs::read(path)
        .map_err(|e| CommandError::invalid(format!("cannot read {}: {e}", path.display())))
        .and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|_| CommandError::invalid(format!("{} is not UTF-8 text", path.display())))
        })
}

/// The state of one import transaction.
struct Writer<'a> {
    tx: &'a store::Db,
    project: &'a str,
    clock: Time,
    /// The chain's end, kept here for the whole batch.
    head: store::Head,
    summary: Summary,
    progress: ProgressBar,
}

impl Writer<'_> {
    /// One more item of the file handled, whatever became of it.
    fn tick(&self) {
        self.progress.inc(1);
    }

    /// Records a fact new to the ledger.
    fn add<R: Record>(&mut self, at: Time, rec: &R) -> store::Result<()> {
        self.append(at, rec)?;
        self.summary.added += 1;
        Ok(())
    }

    /// Records a new version of a fact the ledger holds.
    fn update<R: Record>(&mut self, at: Time, rec: &R) -> store::Result<()> {
        self.append(at, rec)?;
        self.summary.updated += 1;
        Ok(())
    }

    fn append<R: Record>(&mut self, at: Time, rec: &R) -> store::Result<()> {
        let seq = self
            .head
            .append(self.tx, self.project, at, self.clock, rec)?;
        self.summary.entries.push(seq);
        Ok(())
    }
}

/// Records the releases a source states: new ones added, the same ones
/// skipped, different ones reported as conflicts and left as they are; a
/// release dated in the future is not recorded yet.
fn record_releases(
    to: &mut Target<'_>,
    releases: import::Releases,
) -> Result<Summary, CommandError> {
    use crate::domain::reconcile::{self, Listed, Step};
    let clock = to.ctx.clock;
    let mut summary = write(to, releases.entries.len(), |q, w| {
        let rows = q.release_inputs()?.rows(q.frame());
        // The first row of each version, as the list orders them.
        let mut existing: HashMap<&str, Listed<'_>> = HashMap::with_capacity(rows.len());
        for r in &rows {
            existing.entry(r.version.as_str()).or_insert(Listed {
                date: &r.date,
                status: r.status,
                breaking: r.breaking,
            });
        }
        w.summary
            .notes
            .extend(releases.not_recorded.iter().cloned());
        w.summary
            .conflicts
            .extend(releases.repeated.iter().cloned());
        for e in &releases.entries {
            w.tick();
            let known = existing.get(e.version.to_string().as_str()).copied();
            match reconcile::release(known, e, clock) {
                Step::Same => w.summary.skipped += 1,
                Step::Conflict(why) => w.summary.conflicts.push(why),
                Step::Later(why) => w.summary.notes.push(why),
                Step::Add(rec) | Step::Update(rec) => w.add(e.date, &rec)?,
            }
        }
        Ok(())
    })?;
    summary.not_recorded = summary.notes.len();
    Ok(summary)
}

/// Runs one import in one transaction, on a question about the project
/// now (its inputs, and a reader for the keys an item can collide with).
fn write(
    to: &mut Target<'_>,
    items: usize,
    mut body: impl FnMut(&Question<'_>, &mut Writer<'_>) -> store::Result<()>,
) -> Result<Summary, CommandError> {
    let (ctx, project) = (to.ctx, to.project);
    let summary = to.store.write(|tx| {
        let q = store::question(tx, project, ctx.clock)?;
        q.frame().policy.accepts_writer(ctx.writer_key().as_ref())?;
        let progress = if items >= PROGRESS_FROM {
            // Hidden by indicatif itself when stderr is not a terminal.
            let bar =
                ProgressBar::with_draw_target(Some(items as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("importing {bar:30} {pos}/{len}") {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        let mut w = Writer {
            tx,
            project,
            clock: ctx.clock,
            head: store::Head {
                signer: ctx.signer.clone(),
                ..store::Head::read(tx)?
            },
            summary: Summary::default(),
            progress,
        };
        body(&q, &mut w)?;
        w.progress.finish_and_clear();
        Ok(w.summary)
    })?;
    Ok(summary)
}
