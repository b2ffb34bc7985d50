//! `ledger sync`: the ledger kept as JSON Lines on a branch of the
//! project's own repository, so CI jobs on machines that share nothing
//! share one ledger. A sync fetches the branch, brings the local SQLite
//! file up to it (checking every link it takes), and pushes the entries
//! written here since; when another job pushed first, this job's entries
//! are recorded again after theirs and the push is tried again.

use std::path::{Path, PathBuf};
use std::process::{Command, Output as ProcessOutput};

use clap::Args;
use serde_json::json;

use super::{CommandError, Context, Output, View, files};
use crate::domain::{Error, time};
use crate::store::{self, Line, Location, Rebase, Store};

/// Where the journal lives.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The repository: a URL or path git can push to (`origin` names the
    /// current repository's remote).
    #[arg(long = "git", value_name = "REMOTE")]
    pub remote: String,
    /// The branch that holds the journal (made on the first push).
    #[arg(long, default_value = "ledger")]
    pub branch: String,
    /// The journal's file on the branch.
    #[arg(long, default_value = "ledger.jsonl")]
    pub file: String,
    /// How many times to fetch and push again when other jobs push first.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub attempts: u32,
}

/// What one sync did.
#[derive(Debug, Default)]
struct Synced {
    pulled: usize,
    pushed: usize,
    rerecorded: usize,
    attempts: u32,
}

pub(super) fn sync(ctx: &Context, a: &SyncArgs) -> Result<Output, CommandError> {
    let Some(path) = ctx.db.path() else {
        return Err(CommandError::invalid(format!(
            "sync keeps a SQLite ledger file in step with a git branch; {} is a PostgreSQL ledger, which every job shares already",
            ctx.db
        )));
    };
    let repo = Repo::new(&a.remote)?;
    let rebase = Rebase {
        after: String::new(),
        at: time::format(ctx.clock),
        signer: ctx.signer.clone(),
    };
    let mut done = Synced::default();
    for attempt in 1..=a.attempts {
        done.attempts = attempt;
        let (tip, theirs) = repo.fetch(&a.branch, &a.file)?;
        let mut ours = local_lines(ctx, path)?;
        let common = theirs
            .iter()
            .zip(&ours)
            .take_while(|(t, o)| t.entry.hash == o.entry.hash)
            .count();
        if common == ours.len() {
            // Behind or level: take theirs, and there is nothing to push.
            done.pulled += pull(ctx, path, &theirs[common..], &rebase)?;
            return Ok(report(ctx, a, &done, theirs.len().max(ours.len())));
        }
        if common < theirs.len() {
            // Another job pushed first: record ours again after theirs,
            // and push on the tip just fetched.
            done.rerecorded = rebuild(path, &theirs, &ours[common..], &rebase, true)?.rebased;
            done.pulled += theirs.len() - common;
            ours = local_lines(ctx, path)?;
        }
        if repo.push(tip.as_deref(), &ours, &a.branch, &a.file)? {
            done.pushed = ours.len() - theirs.len();
            return Ok(report(ctx, a, &done, ours.len()));
        }
        backoff(attempt);
    }
    Err(Error::State(format!(
        "other jobs pushed to {} first {} times in a row; nothing of this ledger is lost: run `ledger sync` again (or raise --attempts)",
        a.branch, a.attempts
    ))
    .into())
}

/// The local ledger's entries; none before its first sync.
fn local_lines(ctx: &Context, path: &Path) -> Result<Vec<Line>, CommandError> {
    match path.exists() {
        true => Ok(Store::open(&ctx.db)?.lines()?),
        false => Ok(Vec::new()),
    }
}

/// Appends `theirs` to the local ledger, making it when there is none.
fn pull(
    ctx: &Context,
    path: &Path,
    theirs: &[Line],
    rebase: &Rebase,
) -> Result<usize, CommandError> {
    if theirs.is_empty() {
        return Ok(0);
    }
    if !path.exists() {
        return Ok(rebuild(path, theirs, &[], rebase, false)?.entries);
    }
    Ok(Store::open(&ctx.db)?
        .append_lines(theirs, &[], rebase)?
        .entries)
}

/// Makes the local ledger `theirs` and then `ours` recorded again after
/// them, in a new file that takes the old one's place whole (`replace`),
/// or a place where there is none.
fn rebuild(
    path: &Path,
    theirs: &[Line],
    ours: &[Line],
    rebase: &Rebase,
    replace: bool,
) -> Result<store::Copied, CommandError> {
    let partial = files::partial_beside(path);
    let made = (|| -> Result<store::Copied, CommandError> {
        let wait = std::time::Duration::from_secs(5);
        let mut store = Store::create(Location::Sqlite(partial.clone()), wait)?;
        let copied = store.append_lines(theirs, ours, rebase)?;
        drop(store);
        // The old file's write-ahead log goes with it: left behind, it
        // would be read as the new file's.
        remove_log_files(path);
        files::publish(&partial, path, replace)
            .map_err(|e| CommandError::invalid(format!("cannot write {}: {e}", path.display())))?;
        Ok(copied)
    })();
    if made.is_err() {
        store::remove_files(&partial);
    }
    made
}

/// Removes a SQLite file's write-ahead log and shared memory, left
/// behind: beside a new file in the old one's place they would be read as
/// its own.
fn remove_log_files(path: &Path) {
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn report(ctx: &Context, a: &SyncArgs, done: &Synced, entries: usize) -> Output {
    let mut line = format!(
        "synced {} with {} {}: {entries} entries, {} taken, {} pushed",
        ctx.db, a.remote, a.branch, done.pulled, done.pushed
    );
    if done.rerecorded > 0 {
        line.push_str(&format!(
            "; {} of this ledger's entries were recorded again after entries another job pushed first (same effective times and bodies, new links)",
            done.rerecorded
        ));
    }
    if done.attempts > 1 {
        line.push_str(&format!(" ({} attempts)", done.attempts));
    }
    let json = json!({
        "remote": a.remote,
        "branch": a.branch,
        "entries": entries,
        "pulled": done.pulled,
        "pushed": done.pushed,
        "rerecorded": done.rerecorded,
        "attempts": done.attempts,
    });
    Output::plain(View::message(json, line))
}

/// A random wait before trying again, up to twice as long each time (to
/// two seconds), so jobs that collided spread out instead of colliding
/// again.
fn backoff(attempt: u32) {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    let ceiling = (25u64 << attempt.min(7)).min(2000);
    let wait = u64::from(u32::from_le_bytes(bytes)) % ceiling;
    std::thread::sleep(std::time::Duration::from_millis(wait));
}

/// Git's message, as one line: its first, without git's "fatal: ".
fn first_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message");
    line.trim().trim_start_matches("fatal: ").to_string()
}

/// The repository sync fetches into and pushes from: the current one when
/// REMOTE names one of its remotes (so the credentials CI set up for it
/// apply), else a scratch bare repository, removed when done.
struct Repo {
    dir: PathBuf,
    remote: String,
    scratch: bool,
}

impl Drop for Repo {
    fn drop(&mut self) {
        if self.scratch {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Repo {
    fn new(remote: &str) -> Result<Repo, CommandError> {
        let named = Command::new("git")
            .args(["remote", "get-url", "--", remote])
            .stderr(std::process::Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success());
        if named {
            return Ok(Repo {
                dir: PathBuf::from("."),
                remote: remote.to_string(),
                scratch: false,
            });
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!("ledger-sync-{}-{nanos}", std::process::id()));
        // A remote that is a path is read from where the command runs.
        let remote = match Path::new(remote).exists() {
            true => std::fs::canonicalize(remote)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| remote.to_string()),
            false => remote.to_string(),
        };
        let repo = Repo {
            dir,
            remote,
            scratch: true,
        };
        std::fs::create_dir_all(&repo.dir)?;
        repo.git(&["init", "--quiet", "--bare"], None)?;
        Ok(repo)
    }

    /// Runs git in the scratch repository.
    fn run(&self, args: &[&str], input: Option<&[u8]>) -> Result<ProcessOutput, CommandError> {
        use std::io::Write as _;
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir).args(args);
        cmd.env("GIT_TERMINAL_PROMPT", "0");
        for (var, value) in [
            ("GIT_AUTHOR_NAME", "ledger sync"),
            ("GIT_AUTHOR_EMAIL", "ledger-sync@localhost"),
            ("GIT_COMMITTER_NAME", "ledger sync"),
            ("GIT_COMMITTER_EMAIL", "ledger-sync@localhost"),
        ] {
            if std::env::var_os(var).is_none() {
                cmd.env(var, value);
            }
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            CommandError::invalid(format!(
                "sync runs git, which could not be started ({e}); install git"
            ))
        })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.unwrap_or_default())?;
        }
        Ok(child.wait_with_output()?)
    }

    /// Runs git and returns its output, failing with its message.
    fn git(&self, args: &[&str], input: Option<&[u8]>) -> Result<String, CommandError> {
        let out = self.run(args, input)?;
        if !out.status.success() {
            return Err(Error::State(format!(
                "git {} failed: {}",
                args.first().unwrap_or(&""),
                first_line(&out.stderr)
            ))
            .into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The branch's tip and its journal; none on a branch not made yet.
    fn fetch(&self, branch: &str, file: &str) -> Result<(Option<String>, Vec<Line>), CommandError> {
        let refspec = format!("+refs/heads/{branch}:refs/ledger-sync/tip");
        let mut args = vec!["fetch", "--quiet", "--no-tags"];
        // A scratch repository needs only the tip; the project's own is
        // never made shallow.
        if self.scratch {
            args.extend(["--depth", "1"]);
        }
        args.extend([self.remote.as_str(), refspec.as_str()]);
        let out = self.run(&args, None)?;
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr);
            if why.contains("couldn't find remote ref") {
                return Ok((None, Vec::new()));
            }
            return Err(Error::invalid(
                "git remote",
                &self.remote,
                format!(
                    "a repository git can fetch {branch} from (a URL, a path, or a remote of the current repository); git says: {}",
                    first_line(&out.stderr)
                ),
            )
            .into());
        }
        let tip = self.git(&["rev-parse", "refs/ledger-sync/tip"], None)?;
        let text = self.git(&["show", &format!("refs/ledger-sync/tip:{file}")], None)?;
        let mut lines = Vec::new();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let entry: Line = serde_json::from_str(line).map_err(|e| {
                Error::State(format!(
                    "line {} of {file} on {branch} is not a ledger entry ({e}); nothing was written",
                    i + 1
                ))
            })?;
            lines.push(entry);
        }
        Ok((Some(tip), lines))
    }

    /// Commits `ours` as the journal on `tip` and pushes it; false when
    /// another job pushed first.
    fn push(
        &self,
        tip: Option<&str>,
        ours: &[Line],
        branch: &str,
        file: &str,
    ) -> Result<bool, CommandError> {
        let mut text = String::new();
        for line in ours {
            text.push_str(&serde_json::to_string(line).map_err(std::io::Error::from)?);
            text.push('\n');
        }
        let blob = self.git(&["hash-object", "-w", "--stdin"], Some(text.as_bytes()))?;
        let tree = self.git(
            &["mktree"],
            Some(format!("100644 blob {blob}\t{file}\n").as_bytes()),
        )?;
        let head = ours
            .last()
            .map(|l| l.entry.hash.get(..12).unwrap_or(&l.entry.hash))
            .unwrap_or("");
        let message = format!("ledger: {} entries, head {head}", ours.len());
        let mut args = vec!["commit-tree", tree.as_str(), "-m", message.as_str()];
        if let Some(tip) = tip {
            args.extend(["-p", tip]);
        }
        let commit = self.git(&args, None)?;
        let refspec = format!("{commit}:refs/heads/{branch}");
        let out = self.run(&["push", "--quiet", &self.remote, &refspec], None)?;
        if out.status.success() {
            return Ok(true);
        }
        let why = String::from_utf8_lossy(&out.stderr);
        let lost_race = [
            "rejected",
            "fetch first",
            "non-fast-forward",
            "cannot lock ref",
            "failed to update ref",
            "failed to lock",
        ]
        .iter()
        .any(|s| why.contains(s));
        if lost_race {
            return Ok(false);
        }
        Err(Error::State(format!(
            "cannot push to {branch} of {}: {}",
            self.remote,
            first_line(&out.stderr)
        ))
        .into())
    }
}
