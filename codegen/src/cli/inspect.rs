//! `pim-codegen inspect <file> [--json]`: element counts and diagnostics of a CSDL file.
//!
//! Text mode prints an aligned table of counts to stdout; JSON mode prints one object (see
//! [`pim_codegen::inspect::Report::to_json`]). Either way the diagnostics are rendered to
//! stderr, and the exit code is 1 when any of them is an error.

use std::path::PathBuf;

use pim_codegen::inspect::inspect;

use super::{Context, Exit};

/// Print element counts and diagnostics of a CSDL file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSDL (`$metadata`) XML file.
    pub file: PathBuf,

    /// Print a JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `inspect`.
pub fn run(args: Args, ctx: &mut Context<'_>) -> Exit {
    let source = match ctx.read(&args.file) {
        Ok(source) => source,
        Err(exit) => return exit,
    };
    let report = inspect(&source);
    let name = args.file.display().to_string();
    ctx.report(&name, &source, &report.diagnostics);
    let printed = if args.json {
        writeln!(ctx.out, "{}", report.to_json_pretty())
    } else {
        write!(ctx.out, "{name}\n{}", report.summary())
    };
    if let Err(err) = printed {
        ctx.error(format_args!("cannot write the report: {err}"));
        return Exit::Errors;
    }
    Exit::from_diagnostics(&report.diagnostics)
}
