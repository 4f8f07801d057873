//! `pim-codegen check`: the pin matches its lock (hash, selection hash, it parses, resolves
//! and the selection holds on it). Run by CI, so a hand-edited pin or a stale lock fails.

use std::path::PathBuf;

use pim_codegen::sync::{Lock, check_pin};

use super::{Context, Exit, metadata_file};

/// Verify the pin against its lock.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The metadata directory holding selection.toml, the pin and its lock.
    #[arg(long, default_value = "metadata")]
    pub metadata: PathBuf,
}

/// Runs `check`.
pub fn run(args: Args, ctx: &mut Context<'_>) -> Exit {
    let lock_path = metadata_file(&args.metadata, "pim-beta.lock");
    let (lock_text, selection) = match (
        ctx.read(&lock_path),
        ctx.read(&metadata_file(&args.metadata, "selection.toml")),
    ) {
        (Ok(l), Ok(s)) => (
            String::from_utf8_lossy(&l).into_owned(),
            String::from_utf8_lossy(&s).into_owned(),
        ),
        _ => return Exit::Errors,
    };
    let lock = match Lock::from_toml(&lock_text) {
        Ok(lock) => lock,
        Err(err) => {
            ctx.error(format_args!(
                "`{}` is malformed: {err}",
                lock_path.display()
            ));
            return Exit::Errors;
        }
    };
    let pin_path = metadata_file(&args.metadata, &lock.pin.file);
    let pin = match ctx.read(&pin_path) {
        Ok(pin) => pin,
        Err(exit) => return exit,
    };
    let problems = check_pin(&pin, &lock, &selection);
    for p in &problems {
        ctx.error(p);
    }
    if !problems.is_empty() {
        return Exit::Errors;
    }
    let _ = writeln!(
        ctx.out,
        "ok: {} matches its lock (from {}, sha256 {})",
        pin_path.display(),
        lock.upstream.source,
        lock.upstream.sha256
    );
    Exit::Ok
}
