//! `ledger import KIND FILE`: placeholder until the importers land.

use std::io::Write;

use clap::Args;

use super::{CommandError, Context, Output};

/// What to import.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// changelog, budget-summary, budget-events, conformance-summary or inclusion-list.
    pub kind: String,
    /// The file.
    pub file: std::path::PathBuf,
    /// When the file's facts happened, where the file does not say.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub(super) fn import(_ctx: &Context, _a: &ImportArgs, _err: &mut dyn Write) -> Result<Output, CommandError> {
    Err(CommandError::invalid("import is not available yet"))
}
