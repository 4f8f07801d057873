//! `pim-codegen diff <old> <new> [--json] [--fail-on-breaking]`: what changed between two
//! schemas within the selection, each change classified breaking or additive for the
//! generated Rust API (see `pim_codegen::diff`).

use std::path::PathBuf;

use pim_codegen::diff::diff;

use super::{Context, Exit, metadata_file};

/// Compare two schemas within the selection: breaking and additive changes.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old schema (e.g. metadata/pim-beta.csdl).
    pub old: PathBuf,

    /// The new schema (e.g. a fresh upstream $metadata).
    pub new: PathBuf,

    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,

    /// Exit with code 3 when a breaking change is found.
    #[arg(long)]
    pub fail_on_breaking: bool,

    /// The metadata directory holding selection.toml.
    #[arg(long, default_value = "metadata")]
    pub metadata: PathBuf,
}

/// Runs `diff`.
pub fn run(args: Args, ctx: &mut Context<'_>) -> Exit {
    let (old, new) = match (ctx.read(&args.old), ctx.read(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        _ => return Exit::Errors,
    };
    let selection = match ctx.read(&metadata_file(&args.metadata, "selection.toml")) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(exit) => return exit,
    };
    let report = match diff(&old, &new, &selection) {
        Ok(report) => report,
        Err(diagnostics) => {
            // Say which input the diagnostics are about by trying each alone.
            for (path, bytes) in [(&args.old, &old), (&args.new, &new)] {
                let parsed = pim_codegen::csdl::parse_bytes(bytes, Default::default());
                ctx.report(&path.display().to_string(), bytes, &parsed.diagnostics);
            }
            if diagnostics.iter().any(|d| d.line == 0) {
                for d in &diagnostics {
                    ctx.error(&d.message);
                }
            }
            return Exit::Errors;
        }
    };
    let printed = if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => writeln!(ctx.out, "{json}"),
            Err(err) => writeln!(ctx.err, "error: {err}"),
        }
    } else {
        write!(ctx.out, "{}", report.to_text())
    };
    if printed.is_err() {
        return Exit::Errors;
    }
    if args.fail_on_breaking && report.has_breaking() {
        Exit::Breaking
    } else {
        Exit::Ok
    }
}
