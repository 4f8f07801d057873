//! The `pim-codegen` command-line tool: reads Graph CSDL, keeps the pin in sync and
//! generates the bindings. Each subcommand lives in its own module under `cli/`; see
//! [`cli`] for how to add one and for the exit codes.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
