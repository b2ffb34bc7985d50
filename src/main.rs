//! The `ledger` binary: parse, run, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Read as the operating system gives them: a path is used as the bytes
    // it is, and a text that is not UTF-8 is an input error, not a panic.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let now = std::env::var_os("LEDGER_NOW");
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let code = ledger::cli::run(args, now, &mut out, &mut err);
    // A closed pipe (`ledger export | head`) is not an error worth reporting.
    let _ = out.flush();
    ExitCode::from(code)
}
