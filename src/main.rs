//! The `ledger` binary: parse, run, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let now = std::env::var("LEDGER_NOW").ok();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let code = ledger::cli::run(args, now, &mut out, &mut err);
    // A closed pipe (`ledger export | head`) is not an error worth reporting.
    let _ = out.flush();
    ExitCode::from(code)
}
