//! `pim-codegen sync --from <upstream $metadata>`: refresh the pin in `metadata/`.
//!
//! Trims the upstream document to what the selection needs, writes `pim-beta.csdl` and its
//! lock `pim-beta.lock`, and reports what changed against the previous pin (the same report
//! as `diff`), so a maintainer sees at once whether the refresh breaks the generated API.

use std::path::{Path, PathBuf};

use pim_codegen::diff::diff;
use pim_codegen::sync::sync;

use super::{Context, Exit, metadata_file};

/// Refresh the pinned schema in metadata/ from an upstream $metadata file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The upstream `$metadata` XML file (e.g. a download of graph.microsoft.com/beta/$metadata).
    #[arg(long)]
    pub from: PathBuf,

    /// The metadata directory holding selection.toml, the pin and its lock.
    #[arg(long, default_value = "metadata")]
    pub metadata: PathBuf,

    /// Publication date of the upstream file (YYYY-MM-DD); default: a date in its file name.
    #[arg(long)]
    pub date: Option<String>,
}

/// Runs `sync`.
pub fn run(args: Args, ctx: &mut Context<'_>) -> Exit {
    let upstream = match ctx.read(&args.from) {
        Ok(bytes) => bytes,
        Err(exit) => return exit,
    };
    let selection_path = metadata_file(&args.metadata, "selection.toml");
    let selection = match ctx.read(&selection_path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(exit) => return exit,
    };
    let name = args
        .from
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let out = match sync(&upstream, &name, args.date, &selection, "pim-beta.csdl") {
        Ok(out) => out,
        Err(diagnostics) => {
            ctx.report(&args.from.display().to_string(), &upstream, &diagnostics);
            ctx.error("sync failed; the pin is unchanged");
            return Exit::Errors;
        }
    };
    let pin_path = metadata_file(&args.metadata, "pim-beta.csdl");
    let previous = std::fs::read(&pin_path).ok();
    if let Err(exit) = write(ctx, &pin_path, out.pin.as_bytes()).and_then(|()| {
        write(
            ctx,
            &metadata_file(&args.metadata, "pim-beta.lock"),
            out.lock.to_toml().as_bytes(),
        )
    }) {
        return exit;
    }
    let _ = writeln!(
        ctx.out,
        "wrote {} ({} bytes, sha256 {}) from {} ({} bytes)",
        pin_path.display(),
        out.pin.len(),
        out.lock.pin.sha256,
        name,
        upstream.len()
    );
    match previous {
        Some(old) if old == out.pin.as_bytes() => {
            let _ = writeln!(ctx.out, "the pin did not change");
        }
        Some(old) => match diff(&old, out.pin.as_bytes(), &selection) {
            Ok(report) => {
                let _ = write!(
                    ctx.out,
                    "changes against the previous pin:\n{}",
                    report.to_text()
                );
            }
            Err(_) => {
                let _ = writeln!(
                    ctx.out,
                    "the previous pin could not be read; no change report"
                );
            }
        },
        None => {}
    }
    Exit::Ok
}

fn write(ctx: &mut Context<'_>, path: &Path, bytes: &[u8]) -> Result<(), Exit> {
    std::fs::write(path, bytes).map_err(|err| {
        ctx.error(format_args!("cannot write `{}`: {err}", path.display()));
        Exit::Errors
    })
}
