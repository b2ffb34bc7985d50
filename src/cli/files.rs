//! The files commands write (`report --out`, `backup`, `copy --to`,
//! `keygen --out`, the step summary): never the ledger itself or its
//! companions, never a device or a folder, and never half-written. Each is
//! written beside its target and renamed over it, so a reader sees the old
//! file or the new one, and a failure leaves the old one.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::domain::Error;
use crate::store::Location;

/// The files SQLite keeps beside a ledger.
const COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// Refuses `target` as a place to write when it is the ledger `ledger`
/// (through any path or link), one of its `-wal`, `-shm` or `-journal`
/// files, or an existing file that is not a regular file.
pub fn check_target(ledger: &Location, target: &Path, what: &'static str) -> Result<(), Error> {
    if let Ok(meta) = std::fs::metadata(target)
        && !meta.is_file()
    {
        let kind = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file"
        };
        return Err(Error::invalid(
            what,
            target.display(),
            format!("a regular file to write ({} is {kind})", target.display()),
        ));
    }
    if let Some(db) = ledger.path() {
        let target_id = identity(target);
        for suffix in COMPANIONS {
            let companion = with_suffix(db, suffix);
            if identity(&companion) == target_id {
                return Err(Error::invalid(
                    what,
                    target.display(),
                    format!(
                        "a path other than the ledger's own files ({} is {}); writing there would destroy the ledger",
                        target.display(),
                        if suffix.is_empty() {
                            "the ledger".to_string()
                        } else {
                            format!("its {suffix} file")
                        }
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What names a file for comparison: its device and inode where it exists
/// (so a hard link or a symbolic link is the file it points to), else its
/// folder's canonical path and its name.
#[derive(Debug, PartialEq, Eq)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    Path(PathBuf),
}

fn identity(path: &Path) -> Identity {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        return Identity::Inode(meta.dev(), meta.ino());
    }
    if let Ok(p) = std::fs::canonicalize(path) {
        return Identity::Path(p);
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    Identity::Path(folder.join(path.file_name().unwrap_or_default()))
}

/// `path` with `suffix` added to its name (`ledger.db` → `ledger.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A hidden file beside `target` to write before renaming it into place.
pub fn partial_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    target.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// Moves the finished `partial` to `target`: over an existing file when
/// `replace`, else only while `target` does not exist (a link, so a file
/// that appeared meanwhile is never overwritten). `partial` is gone after.
pub fn publish(partial: &Path, target: &Path, replace: bool) -> std::io::Result<()> {
    let moved = if replace {
        std::fs::rename(partial, target)
    } else {
        std::fs::hard_link(partial, target).and_then(|()| std::fs::remove_file(partial))
    };
    if moved.is_err() {
        let _ = std::fs::remove_file(partial);
    }
    moved
}

/// Writes `bytes` to `target` whole (see the module); `secret` makes it
/// readable by its owner alone, and `replace` lets it take an existing
/// file's place.
pub fn write_whole(
    target: &Path,
    bytes: &[u8],
    secret: bool,
    replace: bool,
) -> Result<(), CommandError> {
    let partial = partial_beside(target);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = secret;
    let written = options
        .open(&partial)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })
        .and_then(|()| publish(&partial, target, replace));
    written.map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "it already exists; choose a new path".to_string()
        } else {
            e.to_string()
        };
        CommandError::invalid(format!("cannot write {}: {why}", target.display()))
    })
}

/// Makes a new SQLite ledger at `target` whole: `make` writes it at a
/// hidden path beside it, which is then linked into place. `target` must
/// not exist; on failure nothing is left behind.
pub fn new_ledger_file<T>(
    ledger: &Location,
    target: &Path,
    what: &'static str,
    make: impl FnOnce(&Location) -> Result<T, CommandError>,
) -> Result<T, CommandError> {
    check_target(ledger, target, what)?;
    if std::fs::symlink_metadata(target).is_ok() {
        return Err(Error::State(format!(
            "{what} {} already exists; choose a new path",
            target.display()
        ))
        .into());
    }
    let partial = partial_beside(target);
    let made = make(&Location::Sqlite(partial.clone())).and_then(|t| {
        publish(&partial, target, false).map_err(|e| {
            CommandError::invalid(format!("cannot write {}: {e}", target.display()))
        })?;
        Ok(t)
    });
    if made.is_err() {
        crate::store::remove_files(&partial);
    }
    made
}
