//! `pim-codegen generate --out <dir>`: writes the generated models (and request builders), the
//! same files pim-api's build script writes to `OUT_DIR`, into a directory.
//!
//! By default it generates from the pin (`metadata/pim-beta.csdl`) and the selection;
//! `--schema` takes another schema, and `--all` generates every type of the schema instead of
//! the selection (stress runs: the result is large); `--feature iteration2` adds the binds of
//! that pim-api feature (as building pim-api with it does). With `--check`, nothing is written: the
//! directory is compared with a fresh generation and any drift is an error (exit code 1),
//! e.g. `pim-codegen generate --out pim-api/golden --check`.
//!
//! The index `mod.rs` is the file to include: `#[path = "<dir>/mod.rs"] mod models;` in a crate
//! that depends on pim-api.

use std::path::PathBuf;

use pim_codegen::diag::Severity;

use super::{Context, Exit, metadata_file};

/// Write the generated models into a directory (or check a directory against them).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory to write into (created if missing; unchanged files are not rewritten).
    #[arg(long)]
    pub out: PathBuf,

    /// The metadata directory holding selection.toml and the pin.
    #[arg(long, default_value = "metadata")]
    pub metadata: PathBuf,

    /// Generate from this schema instead of the pin.
    #[arg(long)]
    pub schema: Option<PathBuf>,

    /// Generate every type of the schema, ignoring the selection.
    #[arg(long)]
    pub all: bool,

    /// Compare the directory with a fresh generation instead of writing it.
    #[arg(long)]
    pub check: bool,

    /// Enable a cargo feature of pim-api (repeatable): its feature-gated `[[bind]]`s are
    /// generated too, e.g. `--feature iteration2`.
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
}

/// Runs `generate`.
pub fn run(args: Args, ctx: &mut Context<'_>) -> Exit {
    let schema_path = args
        .schema
        .clone()
        .unwrap_or_else(|| metadata_file(&args.metadata, "pim-beta.csdl"));
    let schema = match ctx.read(&schema_path) {
        Ok(schema) => schema,
        Err(exit) => return exit,
    };
    let schema_name = schema_path.display().to_string();
    let result = if args.all {
        pim_codegen::generate_all(&schema)
    } else {
        let selection = match ctx.read(&metadata_file(&args.metadata, "selection.toml")) {
            Ok(s) => String::from_utf8_lossy(&s).into_owned(),
            Err(exit) => return exit,
        };
        let settings = pim_codegen::Settings::with_features(args.features.iter().cloned());
        pim_codegen::generate_with(&schema, &selection, &settings)
    };
    let generated = match result {
        Ok(generated) => generated,
        Err(diagnostics) => {
            ctx.report(&schema_name, &schema, &diagnostics);
            return Exit::Errors;
        }
    };
    // Only what concerns the output: warnings of the generator itself and errors of the
    // schema (everything else is `pim-codegen inspect`'s business).
    let shown: Vec<_> = generated
        .diagnostics
        .iter()
        .filter(|d| {
            d.severity == Severity::Error || d.code == pim_codegen::diag::Code::NameCollision
        })
        .cloned()
        .collect();
    ctx.report(&schema_name, &schema, &shown);
    let lines: usize = generated.files.iter().map(|(_, s)| s.lines().count()).sum();
    if args.check {
        return match pim_codegen::check_golden(&generated, &args.out) {
            Ok(drift) if drift.is_empty() => {
                let _ = writeln!(
                    ctx.out,
                    "ok: {} is current ({} files, {lines} lines)",
                    args.out.display(),
                    generated.files.len()
                );
                Exit::Ok
            }
            Ok(drift) => {
                ctx.error(format_args!(
                    "{} differs from the generator:\n{drift}",
                    args.out.display()
                ));
                Exit::Errors
            }
            Err(err) => {
                ctx.error(format_args!("cannot read `{}`: {err}", args.out.display()));
                Exit::Errors
            }
        };
    }
    if let Err(err) = generated.write_to(&args.out) {
        ctx.error(format_args!("cannot write `{}`: {err}", args.out.display()));
        return Exit::Errors;
    }
    let _ = writeln!(
        ctx.out,
        "wrote {} files ({lines} lines) to {}",
        generated.files.len(),
        args.out.display()
    );
    Exit::Ok
}

#[cfg(test)]
mod tests {
    use super::super::Cli;
    use clap::Parser;

    #[test]
    fn arguments_parse() {
        let cli =
            Cli::try_parse_from(["pim-codegen", "generate", "--out", "x", "--all", "--check"])
                .unwrap();
        assert!(format!("{:?}", cli.command).contains("all: true"));
        assert!(Cli::try_parse_from(["pim-codegen", "generate"]).is_err());
    }
}
