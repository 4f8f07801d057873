//! Command-line parsing (clap derive) and the conventions every subcommand follows.
//!
//! # Adding a subcommand
//!
//! Write `cli/<name>.rs` with a `pub struct Args` (`#[derive(clap::Args)]`, its rustdoc is the
//! help text) and a `pub fn run(args: Args, ctx: &mut Context) -> Exit`, then add
//! `mod <name>;` and one line to the [`commands!`] list below. Nothing else changes: the
//! macro declares the enum variant and its dispatch.
//!
//! # Exit codes
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | error-level diagnostics, or an input that cannot be read |
//! | 2 | usage error (clap's own exit code for bad arguments) |
//! | 3 | `diff --fail-on-breaking` found a breaking change |
//!
//! # Output
//!
//! Results go to stdout; diagnostics go to stderr, rendered by [`diag::render`] with the
//! offending source line, in color only when stderr is a terminal (and `NO_COLOR` is unset),
//! unless `--color` says otherwise.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use pim_codegen::diag::{self, Diagnostic};

mod check;
mod diff;
mod explain;
mod generate;
mod inspect;
mod sync;

/// Declares [`Command`] (one variant per subcommand) and [`Command::run`], so that a new
/// subcommand is one line here plus its module.
macro_rules! commands {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)*) => {
        /// The subcommands.
        #[derive(Debug, Subcommand)]
        pub enum Command {
            $($(#[$doc])* $variant($module::Args),)*
        }

        impl Command {
            /// Runs the subcommand.
            pub fn run(self, ctx: &mut Context<'_>) -> Exit {
                match self {
                    $(Command::$variant(args) => $module::run(args, ctx),)*
                }
            }
        }
    };
}

commands! {
    /// Print element counts and diagnostics of a CSDL file.
    Inspect => inspect,
    /// Refresh the pinned schema in metadata/ from an upstream $metadata file.
    Sync => sync,
    /// Compare two schemas within the selection: breaking and additive changes.
    Diff => diff,
    /// Verify the pin against its lock.
    Check => check,
    /// Print every selected type and operation with the reason it is in the bindings.
    Explain => explain,
    /// Write the generated models into a directory (or check a directory against them).
    Generate => generate,
}

/// `dir/name`, where a relative `dir` is looked up from the current directory upwards, so the
/// commands work from any directory inside the checkout.
pub fn metadata_file(dir: &Path, name: &str) -> std::path::PathBuf {
    if dir.is_relative()
        && let Ok(cwd) = std::env::current_dir()
    {
        for base in cwd.ancestors() {
            let candidate = base.join(dir);
            if candidate.join("selection.toml").is_file() {
                return candidate.join(name);
            }
        }
    }
    dir.join(name)
}

/// Reads Microsoft Graph CSDL and generates the typed Rust bindings of pim-api.
#[derive(Debug, Parser)]
#[command(name = "pim-codegen", version, about, max_term_width = 100)]
pub struct Cli {
    /// When to color diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `--color` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stderr is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// How a subcommand ended; see the module docs for the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: error-level diagnostics or an unreadable input.
    Errors,
    /// 2: usage error.
    Usage,
    /// 3: `diff --fail-on-breaking` found a breaking change.
    Breaking,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Errors => 1,
            Exit::Usage => 2,
            Exit::Breaking => 3,
        }
    }

    /// `Errors` when any diagnostic is an error, else `Ok`.
    pub fn from_diagnostics(diagnostics: &[Diagnostic]) -> Exit {
        if diag::has_errors(diagnostics) {
            Exit::Errors
        } else {
            Exit::Ok
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// Where a subcommand writes, and how.
pub struct Context<'w> {
    /// Results (stdout).
    pub out: &'w mut dyn Write,
    /// Diagnostics and messages (stderr).
    pub err: &'w mut dyn Write,
    /// Whether diagnostics are colored.
    pub color: bool,
}

impl Context<'_> {
    /// Renders `diagnostics` about `source` (read from `file_name`) to stderr.
    pub fn report(&mut self, file_name: &str, source: &[u8], diagnostics: &[Diagnostic]) {
        if diagnostics.is_empty() {
            return;
        }
        let shown = diag::render(file_name, source, diagnostics, self.color);
        // A closed stderr is not worth a panic; the exit code still tells the story.
        let _ = self.err.write_all(shown.as_bytes());
    }

    /// Prints `error: {message}` to stderr.
    pub fn error(&mut self, message: impl std::fmt::Display) {
        let _ = writeln!(self.err, "error: {message}");
    }

    /// Reads an input file; on failure prints why and gives [`Exit::Errors`].
    pub fn read(&mut self, path: &Path) -> Result<Vec<u8>, Exit> {
        std::fs::read(path).map_err(|err| {
            self.error(format_args!("cannot read `{}`: {err}", path.display()));
            Exit::Errors
        })
    }
}

/// Parses the command line, runs the subcommand and returns the exit code. Usage errors exit
/// with code 2 inside clap (after printing its message), `--help` and `--version` with 0.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut ctx = Context {
        out: &mut out,
        err: &mut err,
        color: cli.color.enabled(),
    };
    let exit = cli.command.run(&mut ctx);
    let _ = ctx.out.flush();
    exit.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn exit_codes_are_stable() {
        assert_eq!(
            [Exit::Ok, Exit::Errors, Exit::Usage, Exit::Breaking].map(Exit::code),
            [0, 1, 2, 3]
        );
    }

    #[test]
    fn missing_arguments_are_usage_errors() {
        let err = Cli::try_parse_from(["pim-codegen", "inspect"]).unwrap_err();
        assert_eq!(err.exit_code(), i32::from(Exit::Usage.code()));
    }
}
