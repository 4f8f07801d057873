//! `pim-sim`: runs the simulated PIM service on loopback.
//!
//! Prints shell-sourceable `NAME=value` lines on stdout (the base URL, the default token,
//! and every principal's id and tokens), then logs each request on stderr until Ctrl-C.
//!
//! ```text
//! cargo run -p pim-sim > sim.env &
//! set -a; . ./sim.env; set +a
//! cargo run -p pim-api-examples --bin list_roles
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use pim_sim::{FaultProfile, RateLimit, Simulator, Tenant};

/// A local, stateful Microsoft Graph PIM service.
#[derive(Debug, Parser)]
#[command(name = "pim-sim", version)]
struct Args {
    /// Tenant file (TOML, or JSON with a `.json` name); default: the built-in Contoso.
    #[arg(long)]
    tenant: Option<PathBuf>,
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Granted → Provisioned delay, ISO 8601 (overrides the tenant's).
    #[arg(long)]
    provisioning_delay: Option<String>,
    /// Items per page without $top (overrides the tenant's).
    #[arg(long)]
    page_size: Option<usize>,
    /// Fault profile file (TOML: seed, throttle, unavailable, ambiguous, gateway_timeout,
    /// drop, truncate, slow, slow_delay_ms, retry_after_secs, methods, [rate_limit]).
    #[arg(long)]
    faults: Option<PathBuf>,
    /// Rate of 429s before processing.
    #[arg(long)]
    throttle: Option<f64>,
    /// Rate of 503s with Retry-After before processing.
    #[arg(long)]
    unavailable: Option<f64>,
    /// Rate of 503s without Retry-After after processing.
    #[arg(long)]
    ambiguous: Option<f64>,
    /// Rate of 504s after processing.
    #[arg(long)]
    gateway_timeout: Option<f64>,
    /// Rate of connections dropped mid-body.
    #[arg(long)]
    drop: Option<f64>,
    /// Rate of truncated bodies.
    #[arg(long)]
    truncate: Option<f64>,
    /// Rate of slow responses, with --slow-delay-ms.
    #[arg(long)]
    slow: Option<f64>,
    /// Delay of slow responses, in milliseconds.
    #[arg(long)]
    slow_delay_ms: Option<u64>,
    /// Retry-After of injected 429s and 503s, in seconds.
    #[arg(long)]
    retry_after: Option<u64>,
    /// Token-bucket throttling per token: CAPACITY/PER_SECOND (e.g. 20/5).
    #[arg(long, value_parser = parse_rate)]
    rate_limit: Option<(f64, f64)>,
    /// Seed of the fault generator.
    #[arg(long)]
    seed: Option<u64>,
    /// Do not log requests.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_rate(text: &str) -> Result<(f64, f64), String> {
    let (cap, rate) = text
        .split_once('/')
        .ok_or_else(|| format!("expected CAPACITY/PER_SECOND, not {text:?}"))?;
    let cap: f64 = cap.trim().parse().map_err(|e| format!("capacity: {e}"))?;
    let rate: f64 = rate
        .trim()
        .parse()
        .map_err(|e| format!("per second: {e}"))?;
    if !(cap >= 1.0 && rate > 0.0) {
        return Err("capacity must be at least 1 and the rate positive".into());
    }
    Ok((cap, rate))
}

fn faults(args: &Args) -> Result<FaultProfile, String> {
    let mut p = match &args.faults {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            toml::from_str(&text)
                .map_err(|e| format!("invalid fault profile {}: {e}", path.display()))?
        }
        None => FaultProfile::default(),
    };
    for (flag, slot) in [
        (args.throttle, &mut p.throttle),
        (args.unavailable, &mut p.unavailable),
        (args.ambiguous, &mut p.ambiguous),
        (args.gateway_timeout, &mut p.gateway_timeout),
        (args.drop, &mut p.drop),
        (args.truncate, &mut p.truncate),
        (args.slow, &mut p.slow),
    ] {
        if let Some(rate) = flag {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("a fault rate must be between 0 and 1, not {rate}"));
            }
            *slot = rate;
        }
    }
    if let Some(ms) = args.slow_delay_ms {
        p.slow_delay_ms = ms;
    }
    if let Some(s) = args.retry_after {
        p.retry_after_secs = s;
    }
    if let Some(seed) = args.seed {
        p.seed = seed;
    }
    if let Some((cap, rate)) = args.rate_limit {
        p.rate_limit = Some(RateLimit {
            per_token_capacity: cap,
            per_token_per_second: rate,
            tenant_capacity: cap * 10.0,
            tenant_per_second: rate * 10.0,
        });
    }
    Ok(p)
}

/// `NAME=value`, quoted for the shell when the value needs it.
fn assignment(name: &str, value: &str) -> String {
    let plain = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.:/@%+=,".contains(&b));
    if plain && !value.is_empty() {
        format!("{name}={value}")
    } else {
        format!("{name}='{}'", value.replace('\'', "'\\''"))
    }
}

fn var_name(handle: &str) -> String {
    handle
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn print_env(sim: &Simulator) {
    let mut out = vec![
        format!(
            "# pim-sim: {}, a simulated Microsoft Graph PIM service on {}",
            sim.tenant_name(),
            sim.addr()
        ),
        assignment("GRAPH_BASE_URL", sim.base_url()),
    ];
    if let Some(token) = sim.default_token() {
        out.push(assignment("GRAPH_TOKEN", &token));
    }
    for p in sim.principals() {
        let name = var_name(&p.name);
        out.push(format!("# {} ({}, {})", p.display_name, p.kind, p.name));
        out.push(assignment(&format!("PIM_SIM_{name}_ID"), &p.id));
        for (i, t) in p.tokens.iter().enumerate() {
            let var = if i == 0 {
                format!("PIM_SIM_{name}_TOKEN")
            } else {
                format!("PIM_SIM_{name}_TOKEN_{}", i + 1)
            };
            let mut proofs = Vec::new();
            if t.mfa {
                proofs.push("mfa".to_owned());
            }
            if !t.acrs.is_empty() {
                proofs.push(format!("acrs {}", t.acrs.join(",")));
            }
            if !t.app_roles.is_empty() {
                proofs.push(format!("app roles {}", t.app_roles.join(",")));
            }
            let comment = if proofs.is_empty() {
                String::new()
            } else {
                format!("  # {}", proofs.join("; "))
            };
            out.push(format!("{}{comment}", assignment(&var, &t.value)));
        }
    }
    let roles = sim.granted_roles();
    if !roles.is_empty() {
        out.push("# Roles the tenant's assignments and eligibilities name".to_owned());
        for (name, id) in roles {
            out.push(assignment(
                &format!("PIM_SIM_ROLE_{}", var_name(&name)),
                &id,
            ));
        }
    }
    println!("{}", out.join("\n"));
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if args.quiet {
            tracing::Level::WARN
        } else {
            tracing::Level::INFO
        })
        .init();
    let tenant = match &args.tenant {
        Some(path) => match Tenant::load(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("pim-sim: {e}");
                return ExitCode::from(2);
            }
        },
        None => Tenant::default_tenant(),
    };
    let profile = match faults(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("pim-sim: {e}");
            return ExitCode::from(2);
        }
    };
    let mut builder = Simulator::builder(tenant).port(args.port).faults(profile);
    if let Some(d) = &args.provisioning_delay {
        match pim_api::edm::Duration::from_raw(d.as_str()).to_std() {
            Ok(d) => builder = builder.provisioning_delay(d),
            Err(e) => {
                eprintln!("pim-sim: --provisioning-delay {d:?}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(n) = args.page_size {
        builder = builder.page_size(n);
    }
    let sim = match builder.spawn().await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("pim-sim: {e}");
            // A tenant that names nothing is a usage error like a bad flag.
            let bad_input = matches!(e, pim_sim::SpawnError::Tenant(_));
            return ExitCode::from(if bad_input { 2 } else { 1 });
        }
    };
    print_env(&sim);
    tracing::info!(
        base_url = sim.base_url(),
        "pim-sim is serving; Ctrl-C stops it"
    );
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling (rare): serve until killed.
        std::future::pending::<()>().await;
    }
    sim.shutdown().await;
    ExitCode::SUCCESS
}
