//! `cargo bench --bench aksctl`: measures the release `aksctl` binary (built by this command)
//! against in-process mock-arm instances and prints the results as Markdown on stdout.
//!
//! Options (after `--`): `--quick` (the CI smoke shape), `--fleet CxPxIxF` (clusters x pools x
//! identities x credentials, default 10x5x64x1 = 2,012 resources; also `AKSCTL_BENCH_FLEET`),
//! `--time-scale F` (default 0.01), `--latency-ms N` (the slow no-op plan, default 100),
//! `--repeats N` (no-op plans per latency, default 3), `--parallelism N`, `--no-throttle`,
//! `--other-tool-rate W` (writes per second of the second client in the shared throttled run,
//! default 2; 0 skips that run),
//! `--estates lab,northwind,fleet`, `--output FILE` (also write the report there),
//! `--write-fleet DIR` (only write the E-fleet estate file into DIR and exit), `--check-only` (only
//! time `aksctl check` of the E-fleet estate).

#[path = "harness/check_scenario.rs"]
mod check_scenario;
mod harness;

use std::path::PathBuf;
use std::process::ExitCode;

use harness::{EstateFile, FleetShape, Options};

const USAGE: &str = "usage: cargo bench --bench aksctl -- [--quick] [--fleet CxPxIxF] [--time-scale F] [--latency-ms N] [--repeats N] [--parallelism N] [--no-throttle] [--other-tool-rate W] [--estates lab,northwind,fleet] [--output FILE] [--write-fleet DIR] [--check-only]";

/// What the command line asks for.
enum Request {
    Measure {
        options: Options,
        output: Option<PathBuf>,
    },
    WriteFleet {
        shape: FleetShape,
        directory: PathBuf,
    },
    /// `--check-only`: only the `aksctl check` scenario.
    Check { options: Options },
}

fn parse_fleet(text: &str) -> Result<FleetShape, String> {
    let numbers: Vec<usize> = text
        .split('x')
        .map(|part| part.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|error| format!("--fleet {text}: {error}"))?;
    let shape = match numbers.as_slice() {
        [clusters, pools, identities] => FleetShape {
            clusters: *clusters,
            pools_per_cluster: *pools,
            identities_per_cluster: *identities,
            credentials_per_identity: 1,
        },
        [clusters, pools, identities, credentials] => FleetShape {
            clusters: *clusters,
            pools_per_cluster: *pools,
            identities_per_cluster: *identities,
            credentials_per_identity: *credentials,
        },
        _ => {
            return Err(format!(
                "--fleet {text}: expected CLUSTERSxPOOLSxIDENTITIES[xCREDENTIALS]"
            ))
        }
    };
    shape.check().map(|()| shape)
}

fn value<'a>(arguments: &'a [String], index: &mut usize, flag: &str) -> Result<&'a str, String> {
    *index += 1;
    arguments
        .get(*index)
        .map(String::as_str)
        .ok_or_else(|| format!("{flag} needs a value"))
}

fn parse_number<T: std::str::FromStr>(text: &str, flag: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|error| format!("{flag} {text}: {error}"))
}

fn parse(arguments: &[String]) -> Result<Request, String> {
    let repository = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let aksctl = PathBuf::from(env!("CARGO_BIN_EXE_aksctl"));
    let mut options = if arguments.iter().any(|argument| argument == "--quick") {
        Options::smoke(aksctl, repository)
    } else {
        Options::full(aksctl, repository)
    };
    options.progress = true;
    if let Ok(shape) = std::env::var("AKSCTL_BENCH_FLEET") {
        options.fleet = parse_fleet(&shape)?;
    }
    let mut output = None;
    let mut write_fleet = None;
    let mut check_only = false;
    let mut index = 0;
    while index < arguments.len() {
        let flag = arguments[index].as_str();
        match flag {
            // cargo passes `--bench` to bench binaries
            "--bench" | "--quick" => {}
            "--fleet" => options.fleet = parse_fleet(value(arguments, &mut index, flag)?)?,
            "--time-scale" => {
                options.time_scale = parse_number(value(arguments, &mut index, flag)?, flag)?
            }
            "--latency-ms" => {
                options.slow_latency_ms =
                    Some(parse_number(value(arguments, &mut index, flag)?, flag)?)
            }
            "--repeats" => {
                options.plan_repeats = parse_number(value(arguments, &mut index, flag)?, flag)?
            }
            "--parallelism" => {
                options.parallelism = Some(parse_number(value(arguments, &mut index, flag)?, flag)?)
            }
            "--no-throttle" => options.throttle = false,
            "--check-only" => check_only = true,
            "--other-tool-rate" => {
                let text = value(arguments, &mut index, flag)?;
                let rate: f64 = text
                    .parse()
                    .map_err(|error| format!("--other-tool-rate {text}: {error}"))?;
                options.other_tool_writes_per_second = (rate > 0.0).then_some(rate);
            }
            "--estates" => {
                let wanted: Vec<String> = value(arguments, &mut index, flag)?
                    .split(',')
                    .map(|name| format!("E-{}", name.trim()))
                    .collect();
                let known: Vec<EstateFile> =
                    Options::full(PathBuf::new(), options.repository.clone()).estates;
                if let Some(unknown) = wanted
                    .iter()
                    .find(|name| !known.iter().any(|e| &e.label == *name))
                {
                    return Err(format!(
                        "--estates: unknown estate {unknown} (lab, northwind, fleet)"
                    ));
                }
                options.estates = known
                    .into_iter()
                    .filter(|e| wanted.contains(&e.label))
                    .collect();
            }
            "--output" => output = Some(PathBuf::from(value(arguments, &mut index, flag)?)),
            "--write-fleet" => {
                write_fleet = Some(PathBuf::from(value(arguments, &mut index, flag)?))
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
        index += 1;
    }
    if !(options.time_scale.is_finite() && options.time_scale >= 0.0) {
        return Err(format!(
            "--time-scale must be >= 0, got {}",
            options.time_scale
        ));
    }
    if check_only {
        return Ok(Request::Check { options });
    }
    Ok(match write_fleet {
        Some(directory) => Request::WriteFleet {
            shape: options.fleet,
            directory,
        },
        None => Request::Measure { options, output },
    })
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let (options, output) = match parse(&arguments) {
        Ok(Request::Measure { options, output }) => (options, output),
        Ok(Request::Check { options }) => return check_scenario::main(&options),
        Ok(Request::WriteFleet { shape, directory }) => {
            return match harness::fleet::write_fleet(&directory, &shape) {
                Ok(path) => {
                    println!(
                        "{} ({} resources)",
                        path.display(),
                        shape.expected_resources()
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!(
                        "aksctl bench: cannot write the fleet into {}: {error}",
                        directory.display()
                    );
                    ExitCode::FAILURE
                }
            };
        }
        Err(message) => {
            eprintln!("aksctl bench: {message}");
            return ExitCode::from(2);
        }
    };
    eprintln!("[bench] measuring {}", options.aksctl.display());
    let results = match harness::run(&options) {
        Ok(results) => results,
        Err(error) => {
            eprintln!("aksctl bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let report = harness::report::render(&results);
    println!("{report}");
    if let Some(path) = output {
        if let Err(error) = std::fs::write(&path, &report) {
            eprintln!("aksctl bench: cannot write {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
