//! The command line: clap types, the context every handler gets, and the
//! dispatch. Handlers are thin: parse → store/domain → report.

mod admin;
mod error;
mod files;
mod import;
mod query;
mod record;
mod sync;
mod trust;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use error::CommandError;

use crate::domain::finding::Check;
use crate::domain::{self, Time, policy::Section, time};
use crate::report::{Format, View};
use crate::store::Store;

/// A tamper-evident release ledger for a governed project.
///
/// Records releases, gate results, budget measurements, deprecations,
/// extensions, incidents, maintenance and sign-offs in one SQLite file, and
/// answers what the governance asks before a release.
///
/// Exit codes: 0 ok; 1 a --check found something (or verify found a
/// problem); 2 invalid input, nothing written; 3 storage failure.
#[derive(Debug, Parser)]
#[command(name = "ledger", version, max_term_width = 100)]
pub struct Cli {
    /// The ledger: a SQLite file, or a PostgreSQL database as
    /// postgres://user[:password]@host[:port]/dbname[?sslmode=require]
    /// (libpq's sslmode values; sslrootcert=FILE names a CA file). A
    /// password is never shown back.
    #[arg(
        long,
        global = true,
        value_name = "PATH_OR_URL",
        help_heading = "Global options",
        env = "LEDGER_DB",
        hide_env_values = true,
        default_value = "ledger.db"
    )]
    pub db: std::ffi::OsString,
    /// With a PostgreSQL --db: a PEM file of CA certificates the server's
    /// certificate must chain to (as sslrootcert= in the URL).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        help_heading = "Global options",
        env = "LEDGER_DB_CA",
        hide_env_values = true
    )]
    pub db_ca: Option<PathBuf>,
    /// The project (default: the policy's project).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "LEDGER_PROJECT"
    )]
    pub project: Option<String>,
    /// Output format.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "LEDGER_FORMAT",
        value_enum,
        default_value = "table"
    )]
    pub format: Format,
    /// Shorthand for --format json.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// How long a write waits in all for other writers to finish, in
    /// seconds; past it, the command exits 3 saying how long it waited.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "LEDGER_LOCK_WAIT",
        value_name = "SECONDS",
        default_value_t = 30.0
    )]
    pub lock_wait: f64,
    /// How far ahead of this machine's real clock a write's clock (or
    /// LEDGER_NOW) may be, in seconds; a write further ahead is refused, so
    /// one wrong clock cannot stamp the ledger in the future.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "LEDGER_CLOCK_ALLOWANCE",
        value_name = "SECONDS",
        default_value_t = 300
    )]
    pub clock_allowance: u32,
    /// Answer as the ledger knew it at this time (RFC 3339 or
    /// YYYY-MM-DD): only entries recorded by then count, judged at that
    /// time, so an entry recorded later (even back-dated) never changes a
    /// past answer.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "TIME"
    )]
    pub as_of: Option<String>,
    /// Sign every entry this command writes with this key (from `ledger
    /// keygen`), so `verify --trusted-keys` can say who wrote it.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "LEDGER_SIGNING_KEY",
        value_name = "KEYFILE"
    )]
    pub sign: Option<PathBuf>,
    /// With --as-of: answer by effective time instead, counting entries
    /// recorded since that are dated at or before it (late results,
    /// back-dated sign-offs).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        requires = "as_of"
    )]
    pub include_late: bool,
    /// Exit 1 when the answer holds anything that breaks policy.
    #[arg(long, global = true, help_heading = "Global options")]
    pub check: bool,
    /// Colour statuses in tables: auto (on a terminal, unless NO_COLOR is
    /// set), always or never.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorChoice,
    /// Leave out the header row of tables and CSV.
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_headers: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or upgrade the ledger file and load the policy (safe to run again).
    Init(admin::InitArgs),
    /// Build a ledger from the sample history and print the dashboard.
    Demo,
    /// One-screen dashboard: latest release, failing gates, budgets,
    /// deprecations, incidents, maintenance and readiness.
    #[command(after_help = "Examples:
  ledger status                      # the dashboard now
  ledger status --check              # exit 1 if anything on it breaks policy
  ledger status --as-of 2026-09-15   # as the ledger knew it then")]
    Status,
    /// Show the policy in force; `policy template` and `policy check`
    /// start and check a policy of your own.
    Policy(admin::PolicyArgs),
    /// Record a release.
    RecordRelease(record::ReleaseArgs),
    /// Record a CI or conformance gate result.
    #[command(after_help = "Examples:
  ledger record-gate clippy --value 0 --platform linux --commit 9c41e07
  ledger record-gate unit-tests --fail --platform windows
  ledger record-gate corpus-pass-rate --value 91.9")]
    RecordGate(record::GateArgs),
    /// Record a performance budget measurement.
    #[command(after_help = "Examples:
  ledger record-budget cold-load-p95 --value 142
  ledger record-budget binary-size --value 21.4 --at 2026-02-08T02:11:50Z --commit 9c41e07")]
    RecordBudget(record::BudgetArgs),
    /// Record a deprecation.
    Deprecate(record::DeprecateArgs),
    /// Record the removal of a deprecated item.
    Remove(record::RemoveArgs),
    /// Add an extension to the corpus (refused unless it passes vetting).
    AddExtension(record::AddExtensionArgs),
    /// Remove an extension from the corpus.
    RemoveExtension(record::RemoveExtensionArgs),
    /// Open an incident; prints its id.
    OpenIncident(record::OpenIncidentArgs),
    /// Mark an incident triaged.
    TriageIncident(record::IncidentEventArgs),
    /// Mark an incident resolved.
    ResolveIncident(record::ResolveIncidentArgs),
    /// Record that a maintenance task was done.
    RecordMaintenance(record::MaintenanceArgs),
    /// Sign off a criterion.
    Attest(record::AttestArgs),
    /// Waive one finding until a date: it is still shown, marked waived,
    /// but blocks no release and fails no --check until the waiver expires.
    #[command(after_help = "Examples:
  ledger waive budget-over cold-load-p95 --until 2026-12-31 --reason \"new runner, see #212\"
  ledger waive deprecation-overdue --no-sandbox --until 2027-01-15 --reason \"removal ships in 0.9\" --by ana
  ledger waive readiness-criterion security-review --until 2026-12-20 --reason \"audit booked\"
  ledger retract 42 --reason \"fixed early\"   # 42: the waiver's entry; ends it now")]
    Waive(record::WaiveArgs),
    /// The waivers in force, soonest to expire first.
    Waivers,
    /// Record that a shift in a budget's series was expected: `drift`
    /// shows it as accepted and no longer flags it.
    #[command(after_help = "Example:
  ledger drift --json                # each shift's `at`
  ledger accept-shift cold-load-p95 --at 2026-11-06T03:00:00Z --reason \"sandbox checks added in 1.2.0\"")]
    AcceptShift(record::AcceptShiftArgs),
    /// Correct a mistake: the entry stops counting (it is never deleted).
    Retract(record::RetractArgs),
    /// List releases, newest first.
    Releases(query::ReleasesArgs),
    /// The latest result of every gate on every platform.
    Gates(query::GatesArgs),
    /// Budgets with their latest measurement.
    Budgets,
    /// Budget drift over a window.
    ///
    /// For each budget, over the samples of the last N days (oldest to
    /// newest):
    ///   shifts    the change points in the window (--method change-points,
    ///             the default): where the series shifted, by how much (the
    ///             median after against the median before), with what
    ///             p-value, and the first release shipped at or after it; a
    ///             shift counts when p <= the policy's drift_alpha (0.001)
    ///             and it is at least drift_min_effect_pct (default: the
    ///             drift tolerance)
    ///   status    over (over-blocking past the policy's blocking margin)
    ///             when the latest sample breaks the threshold; otherwise
    ///             drifting when a shift in the budget's bad direction has
    ///             not been accepted (`ledger accept-shift`); too-few-samples
    ///             under 8 samples; no-data without samples
    ///   trend     one bar per share of the samples (their mean), the newest
    ///             always in the last bar
    ///   change %  the median of the last third of the samples against the
    ///             median of the first third (with fewer than 3 samples: the
    ///             last against the first); with --method thirds, drifting
    ///             means this is worse than the drift tolerance
    #[command(verbatim_doc_comment)]
    Drift(query::DriftArgs),
    /// Deprecations with their window and status.
    #[command(after_help = "Examples:
  ledger deprecations --overdue          # past their window
  ledger deprecations --premature --check")]
    Deprecations(query::DeprecationsArgs),
    /// The extension corpus, tier counts and policy violations.
    Extensions(query::ExtensionsArgs),
    /// Incidents with their SLA.
    #[command(after_help = "Examples:
  ledger incidents --open --overdue --check   # exit 1 while an SLA is broken")]
    Incidents(query::IncidentsArgs),
    /// Maintenance tasks with their cadence.
    Maintenance(query::MaintenanceArgs),
    /// Whether a milestone's criteria are met.
    #[command(after_help = "Examples:
  ledger readiness 1.0
  ledger readiness 1.0 --as-of 2026-09-15 --include-late")]
    Readiness(query::ReadinessArgs),
    /// What would break policy if VERSION were cut now.
    #[command(after_help = "Examples:
  ledger check-release 0.5.0 --check       # exit 1 if anything blocks it
  ledger check-release 1.4.0 --breaking    # after 1.0, breaking needs a new major
  ledger check-release 0.5.0-rc.1          # \"next release\" SLAs only warn a pre-release")]
    CheckRelease(query::CheckReleaseArgs),
    /// Delivery metrics: release frequency, lead time, change failure rate,
    /// time to restore, and the governance's own rhythm.
    ///
    /// Over the last N days (default: the policy's delivery.window_days):
    ///   release frequency     shipped releases, and the Four Keys bucket: daily when
    ///                         the median week has releases on 3 days or more, weekly
    ///                         when it has one, monthly when the median 30 days have
    ///                         one, yearly otherwise
    ///   lead time             median hours from a release's newest commit
    ///                         (record-release --commit-date) to the release; unknown,
    ///                         not guessed, without commit dates
    ///   change failure rate   share of shipped releases an incident names
    ///                         (open-incident --introduced-in) or a later release fixes
    ///                         (record-release --fixes)
    ///   time to restore       median hours from opening to resolving, for incidents
    ///                         resolved in the window; by kind and severity with the SLA
    ///   within SLA, maintenance on time, deprecations removed at their first
    ///   opportunity: the governance's rhythm
    /// Each key is shown against the policy's performance levels
    /// ([delivery.levels]).
    #[command(verbatim_doc_comment)]
    Delivery(query::DeliveryArgs),
    /// Write one self-contained HTML report (inline SVG and CSS, no script,
    /// nothing fetched): the dashboard, each budget's series with its
    /// threshold and drift window, releases and deprecation windows on a
    /// timeline, incidents with their SLA due times, and the readiness
    /// criteria with their evidence.
    #[command(after_help = "Examples:
  ledger report --out report.html               # the last 90 days
  ledger report --out report.html --days 30     # a shorter window
  ledger report --out q3.html --as-of 2026-09-30")]
    Report(query::ReportArgs),
    /// Import a CI artifact as it is, in one transaction.
    ///
    ///   changelog            release headings in the common shapes become releases
    ///   git-tags             SemVer tags of a repository (--repo) become releases
    ///   github-releases      `gh release list --json …` or REST JSON becomes releases
    ///   budget-summary       budgets of pi.perf.budget_summary v1/v2 become budget
    ///                        definitions (a changed threshold: a new version)
    ///   budget-events        JSON Lines measurements at --at (`actual: null`: no data)
    ///   conformance-summary  pi.ext.conformance_summary.v2 counts become conformance
    ///                        gate results and per-tier counts
    ///   inclusion-list       pi.ext.inclusion_list.v1 entries become extensions;
    ///                        policy violations are reported, not refused
    ///   criterion            criterion's folder (target/criterion): each benchmark
    ///                        becomes a measurement of the budget whose source is
    ///                        criterion:ID
    ///   hyperfine            hyperfine --export-json: each command, into the budget
    ///                        whose source is hyperfine:COMMAND
    ///   bmf                  Bencher Metric Format: each benchmark/measure, into the
    ///                        budget whose source is bmf:BENCHMARK/MEASURE
    ///   cargo-audit          cargo audit --json: the vulnerability count, as a result
    ///                        of the gate whose source is cargo-audit
    ///   junit                JUnit XML: the pass rate (or failure count) as a result
    ///                        of the gate whose source is junit (--platform)
    ///
    /// A series no budget watches is listed, never made into one.
    ///
    /// Facts already recorded are skipped, so importing the same file again
    /// changes nothing; disagreements are reported, never overwritten.
    ///
    /// With --check the import is still written (it records what happened),
    /// and then exits 1 if it reported conflicts or policy violations.
    #[command(verbatim_doc_comment)]
    Import(import::ImportArgs),
    /// Recompute the hash chain and cross-check every row.
    Verify(admin::VerifyArgs),
    /// Every entry as JSON Lines, in order.
    Export,
    /// Write a consistent copy of the ledger while others write.
    Backup(admin::BackupArgs),
    /// Copy the whole ledger to another backend (SQLite file <-> PostgreSQL).
    ///
    /// Every entry is copied as stored, with its typed row, tree nodes and
    /// signature, in one transaction on the target, which must be new or
    /// empty; afterwards the target verifies with the source's head.
    ///
    /// Example: ledger --db ledger.db copy --to postgres://ci@db.internal/ledger
    #[command(verbatim_doc_comment)]
    Copy(admin::CopyArgs),
    /// Keep this SQLite ledger in step with a branch of a git repository.
    ///
    /// The journal lives as JSON Lines (`ledger.jsonl`) on the branch, so
    /// CI jobs that share no machine share one ledger in the project's own
    /// repository. sync fetches the branch, adds what other jobs pushed to
    /// the local file (checking every link), and pushes the entries
    /// written here since. When another job pushed first, this ledger's
    /// new entries are recorded again after theirs (same effective times
    /// and bodies; new links and recording times; signed entries signed
    /// again with --sign, refused without it) and the push is tried again.
    ///
    /// A force-push to the branch can rewrite history unseen: publish a
    /// checkpoint with each release (`ledger checkpoint`) and check it.
    ///
    /// Example: ledger --db ledger.db sync --git origin --branch ledger
    #[command(verbatim_doc_comment)]
    Sync(sync::SyncArgs),
    /// Run a read-only SQL query.
    Sql(admin::SqlArgs),
    /// Make an Ed25519 key to sign checkpoints (C2SP note key format).
    Keygen(trust::KeygenArgs),
    /// Print a signed checkpoint of the journal's Merkle tree (C2SP
    /// tlog-checkpoint): publish it with a release.
    Checkpoint(trust::CheckpointArgs),
    /// Print an inclusion proof of one entry against a checkpoint.
    Prove(trust::ProveArgs),
    /// Check an inclusion proof from `prove` without any ledger file.
    VerifyProof(trust::VerifyProofArgs),
    /// Print shell completions: `source <(ledger completions bash)`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page: `ledger man > ledger.1`.
    Man,
}

/// What every handler needs to know about this invocation, read in one
/// place so tests can fix the clock with `LEDGER_NOW`.
#[derive(Debug, Clone)]
pub struct Context {
    pub db: crate::store::Location,
    pub project: Option<String>,
    pub format: Format,
    pub as_of: Option<Time>,
    /// With `as_of`: count entries recorded after it too.
    pub include_late: bool,
    /// The wall clock (or `LEDGER_NOW`).
    pub clock: Time,
    /// This machine's real clock, whatever `LEDGER_NOW` says.
    pub real_clock: Time,
    /// Whether `LEDGER_NOW` set the clock.
    pub clock_fixed: bool,
    /// How far ahead of the real clock a write's clock may be.
    pub clock_allowance: chrono::Duration,
    pub check: bool,
    /// How long a write waits for the lock in all.
    pub lock_wait: std::time::Duration,
    /// The key every write is signed with, if any.
    pub signer: Option<crate::domain::note::Signer>,
    /// Files served from the binary instead of the disk (the demo's seed).
    pub embedded: &'static [(&'static str, &'static str)],
    /// What the command says once on stderr besides its answer.
    pub notes: std::cell::RefCell<Vec<String>>,
    /// The policy the command's question was judged by (the first one it
    /// asked), which CI formats point findings at.
    pub judged_by: std::cell::RefCell<Option<domain::inputs::PolicyInUse>>,
}

impl Context {
    fn new(cli: &Cli, ledger_now: Option<OsString>) -> Result<Context, CommandError> {
        let real_clock = time::truncate(chrono::Utc::now());
        let clock_fixed = ledger_now.is_some();
        let clock = match ledger_now {
            Some(t) => {
                let text = t.to_str().ok_or_else(|| {
                    CommandError::from(crate::domain::Error::invalid(
                        "LEDGER_NOW",
                        t.to_string_lossy(),
                        "a time in UTF-8, such as 2026-02-08T02:11:50Z",
                    ))
                })?;
                time::parse(text)
                    .map_err(|e| CommandError::from(e).hint("LEDGER_NOW fixes the clock"))?
            }
            None => real_clock,
        };
        if cli.clock_allowance > 86_400 {
            return Err(crate::domain::Error::invalid(
                "--clock-allowance",
                cli.clock_allowance,
                "a number of seconds from 0 to 86400",
            )
            .into());
        }
        let as_of = cli.as_of.as_deref().map(time::parse).transpose()?;
        if !(cli.lock_wait.is_finite() && (0.0..=86_400.0).contains(&cli.lock_wait)) {
            return Err(crate::domain::Error::invalid(
                "--lock-wait",
                cli.lock_wait,
                "a number of seconds from 0 to 86400",
            )
            .into());
        }
        let mut db = crate::store::Location::from_arg(&cli.db)?;
        if let (crate::store::Location::Postgres(target), Some(ca)) = (&mut db, &cli.db_ca) {
            target.ca_file = Some(ca.clone());
        }
        Ok(Context {
            db,
            project: cli
                .project
                .as_deref()
                .map(|p| crate::domain::text::name("project", p))
                .transpose()?,
            format: if cli.json { Format::Json } else { cli.format },
            as_of,
            include_late: cli.include_late,
            clock,
            real_clock,
            clock_fixed,
            clock_allowance: chrono::Duration::seconds(i64::from(cli.clock_allowance)),
            check: cli.check,
            lock_wait: std::time::Duration::from_secs_f64(cli.lock_wait),
            signer: cli.sign.as_deref().map(trust::signer).transpose()?,
            embedded: &[],
            notes: Default::default(),
            judged_by: Default::default(),
        })
    }

    /// The ledger, opened to write: its writes wait for the lock as long
    /// as `--lock-wait` says.
    pub fn writer(&self) -> Result<Store, CommandError> {
        Ok(Store::open(&self.db)?.waiting(self.lock_wait)?)
    }

    /// Refuses a format the answer cannot honour: `what` is one document of
    /// several sections, which one CSV table cannot hold.
    pub fn no_csv(&self, what: &str) -> Result<(), CommandError> {
        if self.format == Format::Csv {
            return Err(CommandError::invalid(format!(
                "{what} has several sections, which one CSV table cannot hold; use --format json (or table, markdown)"
            )));
        }
        Ok(())
    }

    /// "Now" for a query: `--as-of` if given, else the clock.
    pub fn now(&self) -> Time {
        self.as_of.unwrap_or(self.clock)
    }

    /// What a query sees: with `--as-of`, what the ledger knew then
    /// (unless `--include-late`); otherwise every entry, at the clock.
    pub fn seen(&self) -> crate::store::AsOf {
        match self.as_of {
            Some(t) if !self.include_late => crate::store::AsOf::known_at(t),
            Some(t) => t.into(),
            None => self.clock.into(),
        }
    }

    /// The effective time of a new entry: `--at`, else the clock. An entry
    /// cannot happen in the future.
    pub fn effective(&self, at: Option<&str>) -> Result<Time, CommandError> {
        let parsed = at.map(time::parse).transpose()?;
        time::effective(parsed, self.clock).map_err(|_| {
            CommandError::invalid(format!(
                "time \"{}\" is in the future (now is {}); record what has happened",
                at.unwrap_or_default(),
                time::format(self.clock)
            ))
        })
    }

    /// What the answer's view must hold to be printed in the format asked
    /// for.
    pub fn wants(&self) -> crate::report::Wants {
        crate::report::Wants::of(self.format)
    }

    /// The project: `--project`, else the policy's.
    ///
    /// A project named with `--project` that has no policy of its own is
    /// judged by the one loaded last, another project's: the command says
    /// so, once.
    pub fn project(&self, store: &Store) -> Result<String, CommandError> {
        let Some(p) = &self.project else {
            return Ok(crate::store::latest_policy(store.conn(), self.clock)?
                .policy
                .project);
        };
        if crate::store::own_policy(store.conn(), p, self.clock)?.is_none()
            && let Ok(other) = crate::store::latest_policy(store.conn(), self.clock)
            && other.policy.project != *p
        {
            let whose = if other.entry.rec.content == domain::policy::DEFAULT_TOML {
                "the built-in example policy (the Pi extension platform's)".to_string()
            } else {
                format!(
                    "the policy of project {} ({})",
                    other.policy.project, other.entry.rec.source
                )
            };
            self.note(format!(
                "project {p} has no policy of its own, so {whose} judges it; write one with `ledger --project {p} init --template minimal` (`ledger policy template` lists the templates)"
            ));
        }
        Ok(p.clone())
    }

    /// Starts a question about `project`, noting the policy it is judged
    /// by for the CI formats.
    pub fn question<'s>(
        &self,
        store: &'s Store,
        project: &'s str,
        as_of: impl Into<crate::store::AsOf>,
    ) -> Result<crate::store::Question<'s>, CommandError> {
        let q = store.question(project, as_of)?;
        let mut judged_by = self.judged_by.borrow_mut();
        if judged_by.is_none() {
            *judged_by = q.frame().policy_in_use.clone();
        }
        Ok(q)
    }

    /// Says `text` once on stderr, before the answer.
    pub fn note(&self, text: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    /// Refuses query-only flags on a command that writes (an import may
    /// `--check`: it fails on conflicts and violations it reports).
    fn writing(&self, command: &Command) -> Result<(), CommandError> {
        if self.as_of.is_some() {
            return Err(CommandError::invalid(
                "--as-of answers queries; to date an entry use --at",
            ));
        }
        if self.check && !matches!(command, Command::Import(_)) {
            return Err(CommandError::invalid(
                "--check applies to queries, not to commands that record",
            ));
        }
        if let Err(time::Skew::ClockAhead(ahead)) =
            time::clock_within(self.clock, self.real_clock, self.clock_allowance)
        {
            return Err(CommandError::invalid(format!(
                "the clock{} reads {}, {} ahead of this machine's real clock ({}); an entry recorded in the future would refuse every honest write after it, so fix the clock{} (--clock-allowance, {} s now, sets how far ahead a clock may be)",
                if self.clock_fixed {
                    " (LEDGER_NOW)"
                } else {
                    ""
                },
                time::format(self.clock),
                time::span(ahead),
                time::format(self.real_clock),
                if self.clock_fixed {
                    ": LEDGER_NOW is for tests and demos"
                } else {
                    ""
                },
                self.clock_allowance.num_seconds()
            )));
        }
        Ok(())
    }

    /// The verifier key of the writer's signing key, if it signs: what a
    /// policy that requires signed writes judges (each write checks it in
    /// its own transaction, against the policy in force there).
    pub fn writer_key(&self) -> Option<crate::domain::note::Verifier> {
        self.signer.as_ref().map(|s| s.verifier())
    }

    /// How far the clock is ahead of this machine's real clock (negative
    /// when behind).
    pub fn clock_ahead(&self) -> chrono::Duration {
        self.clock - self.real_clock
    }
}

/// What the CLI reads of the process it runs in besides its arguments
/// (and the variables its options name): the binary passes its own
/// ([`Host::of_process`]); a test passes a plain pipe ([`Host::piped`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Host {
    /// `LEDGER_NOW`: the clock, fixed (for tests and demos).
    pub now: Option<OsString>,
    /// The width tables fit in: `COLUMNS` when set, else the terminal's
    /// when stdout is one; none when piped (cells still wrap at 72).
    pub width: Option<usize>,
    /// Whether `--color auto` colours: stdout is a terminal and
    /// `NO_COLOR` is not set.
    pub color: bool,
    /// `$GITHUB_STEP_SUMMARY`: where `--format github` appends its summary.
    pub step_summary: Option<OsString>,
    /// `LEDGER_FORMAT=json`: a usage error is then JSON on stdout too.
    pub format_json: bool,
}

impl Host {
    /// This process's environment and terminal, with `now` as the clock.
    pub fn of_process(now: Option<OsString>) -> Host {
        use std::io::IsTerminal;
        let tty = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok());
        Host {
            now,
            width: match columns {
                Some(c) if c >= 20 => Some(c),
                _ if tty => terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)),
                _ => None,
            },
            color: tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            step_summary: std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()),
            format_json: std::env::var_os("LEDGER_FORMAT").is_some_and(|f| f == "json"),
        }
    }

    /// Output to a pipe, no colour, no step summary, with `now` as the
    /// clock: what a test runs the CLI in.
    pub fn piped(now: Option<impl Into<OsString>>) -> Host {
        Host {
            now: now.map(Into::into),
            ..Host::default()
        }
    }
}

/// What a handler produced.
pub struct Output {
    pub view: View,
    /// Whether the answer holds something that breaks policy.
    pub flagged: bool,
    /// Exit 1 on `flagged` even without `--check` (verify).
    pub always_check: bool,
    /// What the command judged, for the CI formats.
    pub checks: Vec<Check>,
    /// Said once on stderr before the answer (such as a section the
    /// policy does not govern).
    pub notes: Vec<String>,
}

impl Output {
    fn plain(view: View) -> Output {
        Output::flagged(view, false)
    }

    fn flagged(view: View, flagged: bool) -> Output {
        Output {
            view,
            flagged,
            always_check: false,
            checks: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The answer, said to be about a section the policy does not govern
    /// when it is one.
    fn governed(mut self, policy: &domain::policy::Policy, section: Section) -> Output {
        self.notes.extend(policy.not_governed(section));
        self
    }

    /// The answer with the checks behind it, worked out only when a CI
    /// format will print them (`wanted`).
    fn judged(mut self, wanted: bool, checks: impl FnOnce() -> Vec<Check>) -> Output {
        if wanted {
            self.checks = checks();
        }
        self
    }
}

/// What a command judged in a CI format, as stdout should print it.
/// GitHub's step summary goes to `$GITHUB_STEP_SUMMARY` when it is set
/// (appended, as each step adds its own), its annotations to stdout.
fn render_ci(
    ctx: &Context,
    host: &Host,
    command: &str,
    checks: &[Check],
) -> Result<String, CommandError> {
    let files = ci_files(ctx);
    let judged = crate::report::ci::Judged {
        command,
        files: &files,
        checks,
    };
    Ok(match ctx.format {
        Format::Sarif => format!("{:#}\n", crate::report::ci::sarif(&judged)),
        Format::Junit => crate::report::ci::junit(&judged),
        Format::Codeclimate => format!("{:#}\n", crate::report::ci::codeclimate(&judged)),
        _ => {
            let g = crate::report::ci::github(&judged);
            match &host.step_summary {
                Some(path) => {
                    files::check_target(&ctx.db, path.as_ref(), "step summary")?;
                    let mut file = std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .map_err(|e| {
                            CommandError::invalid(format!(
                                "cannot write the step summary to GITHUB_STEP_SUMMARY ({}): {e}",
                                std::path::Path::new(&path).display()
                            ))
                        })?;
                    file.write_all(g.summary.as_bytes())?;
                    g.annotations
                }
                None => format!("{}\n{}", g.summary, g.annotations),
            }
        }
    })
}

/// The files of the repository that CI formats point findings at: the
/// policy file the question was judged by (as a path from the current
/// folder, which CI runs from the repository's root), and the changelog.
/// A project judged by the built-in example has no policy file yet:
/// `ledger.toml` is where `init --template` writes one.
fn ci_files(ctx: &Context) -> crate::report::ci::Files {
    let judged_by = ctx.judged_by.borrow();
    let (policy, policy_text) = match judged_by.as_ref() {
        Some(p) if p.source != admin::BUILTIN_SOURCE => {
            (repository_path(&p.source), Some(p.text.clone()))
        }
        _ => ("ledger.toml".to_string(), None),
    };
    crate::report::ci::Files {
        policy,
        policy_text,
        changelog: "CHANGELOG.md".to_string(),
    }
}

/// A file's path from the current folder: an absolute path under it made
/// relative, `./` dropped, `/` separators. An absolute path elsewhere is
/// not in the repository; its file name is the best guess at where a copy
/// of it is.
fn repository_path(path: &str) -> String {
    let p = std::path::Path::new(path);
    let relative = if p.is_absolute() {
        std::env::current_dir()
            .ok()
            .and_then(|cwd| p.strip_prefix(cwd).ok().map(std::path::Path::to_path_buf))
            .or_else(|| p.file_name().map(std::path::PathBuf::from))
            .unwrap_or_else(|| p.to_path_buf())
    } else {
        p.to_path_buf()
    };
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Parses `args`, runs the command in this process's environment with
/// `ledger_now` as the clock, prints to `out`/`err`, and returns the exit
/// code.
pub fn run<A: Into<OsString>>(
    args: impl IntoIterator<Item = A>,
    ledger_now: Option<impl Into<OsString>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    run_in(
        args,
        &Host::of_process(ledger_now.map(Into::into)),
        out,
        err,
    )
}

/// [`run`] in `host`.
pub fn run_in<A: Into<OsString>>(
    args: impl IntoIterator<Item = A>,
    host: &Host,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Whether the caller asked for JSON, however it asked: a usage error is
    // then JSON on stdout too.
    let json_wanted = args.iter().any(|a| a == "--json" || a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
        || host.format_json;
    let (cli, matches) = match parse(&args, json_wanted, out, err) {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    match execute(&cli, &matches, host, out, err) {
        Ok((ctx, output, provisional)) => {
            print_answer(&cli, &matches, host, (&ctx, &output, provisional), out, err)
        }
        Err(e) => {
            if json_wanted || cli.json || cli.format == Format::Json {
                let _ = writeln!(out, "{}", e.to_json());
            }
            let _ = writeln!(err, "ledger: {}", e.message);
            if let Some(h) = &e.hint {
                let _ = writeln!(err, "hint: {h}");
            }
            e.exit
        }
    }
}

/// The arguments as a command line, or the exit code of a usage error
/// (or of `--help`, printed).
fn parse(
    args: &[OsString],
    json_wanted: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(Cli, clap::ArgMatches), u8> {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    match parsed {
        Ok(parsed) => Ok(parsed),
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = write!(out, "{e}");
                return Err(0);
            }
            if json_wanted {
                let first = e.to_string();
                let message = first
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim_start_matches("error: ");
                let doc = CommandError::invalid(message).to_json();
                let _ = writeln!(out, "{doc}");
            }
            let _ = write!(err, "{e}");
            Err(2)
        }
    }
}

/// The command run: its context, its output and, for an answer about the
/// ledger's last moments, the time of its last entry.
type Answer = (Context, Output, Option<String>);

/// Runs the command after the checks its shape needs.
fn execute(
    cli: &Cli,
    matches: &clap::ArgMatches,
    host: &Host,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Answer, CommandError> {
    let ctx = Context::new(cli, host.now.clone())?;
    if ctx.clock_fixed
        && ctx.clock_ahead() > chrono::Duration::zero()
        && !matches!(cli.command, Command::Demo)
    {
        let _ = writeln!(
            err,
            "note: LEDGER_NOW ({}) is ahead of this machine's clock ({}); it is for tests and demos",
            time::format(ctx.clock),
            time::format(ctx.real_clock)
        );
    }
    if ctx.format.is_ci() && !cli.command.shape().judges {
        return Err(CommandError::invalid(format!(
            "--format {} reports what a command judged, and `{}` judges nothing; use it with status, check-release, readiness, gates, budgets, drift, deprecations, extensions, incidents, maintenance or verify",
            clap::ValueEnum::to_possible_value(&ctx.format)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
            matches.subcommand_name().unwrap_or("ledger")
        )));
    }
    if let Some((native, formats)) = cli.command.shape().native
        && !formats.contains(&ctx.format)
    {
        return Err(CommandError::invalid(format!(
            "`{}` prints {native} whatever the format, so --format {} cannot be honoured; leave --format out{}",
            matches.subcommand_name().unwrap_or("ledger"),
            clap::ValueEnum::to_possible_value(&ctx.format)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
            if matches!(cli.command, Command::Export) {
                " (for CSV, use `ledger sql`)"
            } else {
                ""
            }
        )));
    }
    if matches!(cli.command, Command::Export) {
        // Streamed as it is read, not rendered afterwards.
        let output = admin::export(&ctx, out)?;
        return Ok((ctx, output, None));
    }
    let mut output = dispatch(&ctx, &cli.command, err)?;
    let noted = std::mem::take(&mut *ctx.notes.borrow_mut());
    output.notes.splice(0..0, noted);
    let provisional = provisional(&ctx)?;
    if provisional.is_some() {
        output.view.flag_json("provisional");
    }
    Ok((ctx, output, provisional))
}

/// Prints an answer: the notes on stderr, then the output in the format
/// asked for; the exit code.
fn print_answer(
    cli: &Cli,
    matches: &clap::ArgMatches,
    host: &Host,
    (ctx, output, provisional): (&Context, &Output, Option<String>),
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    if let Some(t) = ctx.as_of {
        let how = if ctx.include_late {
            "by effective time, counting entries recorded since"
        } else {
            "as the ledger knew it then (entries recorded by then; --include-late adds later ones)"
        };
        let _ = writeln!(err, "as of {}: {how}", time::format(t));
    }
    if let Some(last) = provisional {
        let _ = writeln!(
            err,
            "provisional: the ledger's last entry was recorded at {last}, so a writer may still record an entry at or before this time and change the answer"
        );
    }
    for note in &output.notes {
        let _ = writeln!(err, "note: {note}");
    }
    let options = crate::report::RenderOptions {
        width: host.width,
        headers: !cli.no_headers,
        color: match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => host.color,
        },
    };
    // Only a command that judges gets this far in a CI format.
    let written = if ctx.format.is_ci() {
        let command = matches.subcommand_name().unwrap_or("ledger");
        match render_ci(ctx, host, command, &output.checks) {
            Ok(text) => out.write_all(text.as_bytes()),
            Err(e) => {
                let _ = writeln!(err, "ledger: {}", e.message);
                return e.exit;
            }
        }
    } else {
        output.view.render(ctx.format, &options, out)
    };
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return 0;
        }
        let _ = writeln!(err, "ledger: {e}");
        return 3;
    }
    u8::from(output.flagged && (ctx.check || output.always_check))
}

/// For a question asked `--as-of` a time at or after the ledger's last
/// entry: that entry's recording time, since a slow writer may still land
/// at or before the time asked about.
fn provisional(ctx: &Context) -> Result<Option<String>, CommandError> {
    let Some(t) = ctx.as_of else {
        return Ok(None);
    };
    let Ok(store) = Store::open(&ctx.db) else {
        return Ok(None);
    };
    Ok(store
        .last_recorded()?
        .filter(|last| time::format(t) >= *last))
}

fn dispatch(ctx: &Context, command: &Command, err: &mut dyn Write) -> Result<Output, CommandError> {
    use Command as C;
    if command.shape().writes {
        ctx.writing(command)?;
    }
    match command {
        C::Init(a) => admin::init(ctx, a),
        C::Demo => admin::demo(ctx, err),
        C::Status => query::status(ctx),
        C::Policy(a) => admin::policy_command(ctx, a),
        C::RecordRelease(a) => record::release(ctx, a),
        C::RecordGate(a) => record::gate(ctx, a),
        C::RecordBudget(a) => record::budget(ctx, a),
        C::Deprecate(a) => record::deprecate(ctx, a),
        C::Remove(a) => record::remove(ctx, a, err),
        C::AddExtension(a) => record::add_extension(ctx, a),
        C::RemoveExtension(a) => record::remove_extension(ctx, a),
        C::OpenIncident(a) => record::open_incident(ctx, a),
        C::TriageIncident(a) => record::triage_incident(ctx, a),
        C::ResolveIncident(a) => record::resolve_incident(ctx, a),
        C::RecordMaintenance(a) => record::maintenance(ctx, a),
        C::Attest(a) => record::attest(ctx, a),
        C::Waive(a) => record::waive(ctx, a, err),
        C::Waivers => query::waivers(ctx),
        C::AcceptShift(a) => record::accept_shift(ctx, a),
        C::Retract(a) => record::retract(ctx, a),
        C::Releases(a) => query::releases(ctx, a),
        C::Gates(a) => query::gates(ctx, a),
        C::Budgets => query::budgets(ctx),
        C::Drift(a) => query::drift(ctx, a),
        C::Deprecations(a) => query::deprecations(ctx, a),
        C::Extensions(a) => query::extensions(ctx, a),
        C::Incidents(a) => query::incidents(ctx, a),
        C::Maintenance(a) => query::maintenance(ctx, a),
        C::Readiness(a) => query::readiness(ctx, a),
        C::CheckRelease(a) => query::check_release(ctx, a),
        C::Delivery(a) => query::delivery(ctx, a),
        C::Report(a) => query::report(ctx, a),
        C::Import(a) => import::import(ctx, a, err),
        C::Verify(a) => admin::verify(ctx, a),
        C::Export => admin::export(ctx, &mut std::io::sink()),
        C::Backup(a) => admin::backup(ctx, a),
        C::Copy(a) => admin::copy(ctx, a),
        C::Sync(a) => sync::sync(ctx, a),
        C::Sql(a) => admin::sql(ctx, a),
        C::Keygen(a) => trust::keygen(ctx, a),
        C::Checkpoint(a) => trust::checkpoint(ctx, a),
        C::Prove(a) => trust::prove(ctx, a),
        C::VerifyProof(a) => trust::verify_proof(a),
        C::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                *shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "ledger",
                &mut out,
            );
            Ok(Output::plain(View::raw(
                String::from_utf8_lossy(&out).into_owned(),
            )))
        }
        C::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out)?;
            Ok(Output::plain(View::raw(
                String::from_utf8_lossy(&out).into_owned(),
            )))
        }
    }
}

/// What a command is, for the checks made before it runs: whether it
/// writes (a read-only or foreign-clock ledger refuses it), whether it
/// judges (the CI formats need it to), and the one output of its own it
/// prints whatever the format, with the formats that ask for it.
#[derive(Debug, Clone, Copy)]
struct Shape {
    writes: bool,
    judges: bool,
    native: Option<(&'static str, &'static [Format])>,
}

impl Command {
    /// The command's shape: one exhaustive table, so a new command says
    /// what it is before it compiles.
    fn shape(&self) -> Shape {
        const READS: Shape = Shape {
            writes: false,
            judges: false,
            native: None,
        };
        const WRITES: Shape = Shape {
            writes: true,
            ..READS
        };
        const JUDGES: Shape = Shape {
            judges: true,
            ..READS
        };
        const fn prints(what: &'static str, formats: &'static [Format]) -> Shape {
            Shape {
                native: Some((what, formats)),
                ..READS
            }
        }
        const TABLE_OR_JSON: &[Format] = &[Format::Table, Format::Json];
        use Command as C;
        match self {
            C::Init(_)
            | C::RecordRelease(_)
            | C::RecordGate(_)
            | C::RecordBudget(_)
            | C::Deprecate(_)
            | C::Remove(_)
            | C::AddExtension(_)
            | C::RemoveExtension(_)
            | C::OpenIncident(_)
            | C::TriageIncident(_)
            | C::ResolveIncident(_)
            | C::RecordMaintenance(_)
            | C::Attest(_)
            | C::Waive(_)
            | C::AcceptShift(_)
            | C::Retract(_)
            | C::Import(_)
            | C::Sync(_) => WRITES,
            C::Status
            | C::Gates(_)
            | C::Budgets
            | C::Drift(_)
            | C::Deprecations(_)
            | C::Extensions(_)
            | C::Incidents(_)
            | C::Maintenance(_)
            | C::Readiness(_)
            | C::CheckRelease(_)
            | C::Verify(_) => JUDGES,
            C::Export => prints("JSON Lines, one entry per line", TABLE_OR_JSON),
            C::Prove(_) => prints("a JSON proof", TABLE_OR_JSON),
            C::Completions { .. } => prints("a shell script", &[Format::Table]),
            C::Man => prints("a man page", &[Format::Table]),
            C::Checkpoint(_) => prints("a signed checkpoint note", &[Format::Table]),
            C::Policy(a) if a.prints_text() => {
                prints("a TOML policy or its JSON Schema", &[Format::Table])
            }
            // Demo builds a file of its own; the rest read, or write
            // elsewhere than the ledger.
            C::Demo
            | C::Policy(_)
            | C::Waivers
            | C::Releases(_)
            | C::Delivery(_)
            | C::Report(_)
            | C::Backup(_)
            | C::Copy(_)
            | C::Sql(_)
            | C::Keygen(_)
            | C::VerifyProof(_) => READS,
        }
    }
}

/// Opens the ledger, asks about the project at the query's "now", and
/// reads the question's input with `read`: the frame it is judged by and
/// the input.
fn ask<T>(
    ctx: &Context,
    read: impl FnOnce(&crate::store::Question<'_>) -> crate::store::Result<T>,
) -> Result<(domain::inputs::Frame, T), CommandError> {
    let (store, project) = project_store(ctx)?;
    let q = ctx.question(&store, &project, ctx.seen())?;
    let input = read(&q)?;
    Ok((q.into_frame(), input))
}

/// The ledger, opened to read, and the project a question is about.
fn project_store(ctx: &Context) -> Result<(Store, String), CommandError> {
    let store = Store::open(&ctx.db)?;
    let project = ctx.project(&store)?;
    Ok((store, project))
}
