//! `pim-codegen explain`: the selection closure of the pin, one line per type with the reason
//! it is bound (bound path, containment, property type, base, derived, operation, reference),
//! and the `[[server_set]]` and `[[restrict]]` entries as they apply.

use std::path::PathBuf;

use pim_codegen::select::{SelectionConfig, select};

use super::{Context, Exit, metadata_file};

/// Print every selected type and operation with the reason it is in the bindings.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema to select from (default: the pin, metadata/pim-beta.csdl).
    pub schema: Option<PathBuf>,

    /// The metadata directory holding selection.toml and the pin.
    #[arg(long, default_value = "metadata")]
    pub metadata: PathBuf,

    /// Enable a cargo feature of pim-api (repeatable), e.g. `--feature iteration2`; by
    /// default the binds of no feature are explained, as pim-api builds by default.
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
}

/// Runs `explain`.
pub fn run(args: Args, ctx: &mut Context<'_>) -> Exit {
    let schema_path = args
        .schema
        .unwrap_or_else(|| metadata_file(&args.metadata, "pim-beta.csdl"));
    let (schema, selection) = match (
        ctx.read(&schema_path),
        ctx.read(&metadata_file(&args.metadata, "selection.toml")),
    ) {
        (Ok(s), Ok(sel)) => (s, String::from_utf8_lossy(&sel).into_owned()),
        _ => return Exit::Errors,
    };
    let name = schema_path.display().to_string();
    let parsed = pim_codegen::csdl::parse_bytes(&schema, Default::default());
    ctx.report(&name, &schema, &parsed.diagnostics);
    let model = pim_codegen::model::resolve(&parsed.document, &schema);
    ctx.report(&name, &schema, &model.diagnostics);
    let config = match SelectionConfig::from_toml(&selection) {
        Ok(c) => c.with_features(&args.features.iter().cloned().collect()),
        Err(d) => {
            ctx.report("selection.toml", selection.as_bytes(), &[d]);
            return Exit::Errors;
        }
    };
    match select(&model, &config) {
        Ok(sel) => {
            let _ = write!(ctx.out, "{}", sel.explain(&model));
            Exit::Ok
        }
        Err(errors) => {
            for d in errors {
                ctx.error(&d.message);
            }
            Exit::Errors
        }
    }
}
