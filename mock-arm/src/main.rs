//! The `mock-arm` binary: parse flags, bind, print the listening URL, serve until killed.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use mock_arm::Config;

const USAGE: &str = "usage: mock-arm --listen 127.0.0.1:0 [--latency-ms N] [--time-scale F] [--state FILE] [--throttle] [--page-size N] [--tenant-id GUID] [--allow-non-loopback] [--tls] [--record UPSTREAM_URL --cassette FILE | --playback FILE]";

/// What the server does.
enum Mode {
    Simulate,
    Record { upstream: String, cassette: PathBuf },
    Playback { cassette: PathBuf },
}

struct Options {
    mode: Mode,
    listen: SocketAddr,
    allow_non_loopback: bool,
    tls: bool,
    config: Config,
}

fn value<'a>(args: &'a [String], index: &mut usize, flag: &str) -> Result<&'a str, String> {
    *index += 1;
    args.get(*index)
        .map(String::as_str)
        .ok_or_else(|| format!("{flag} needs a value"))
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut record: Option<String> = None;
    let mut cassette: Option<PathBuf> = None;
    let mut playback: Option<PathBuf> = None;
    let mut options = Options {
        mode: Mode::Simulate,
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        allow_non_loopback: false,
        tls: false,
        config: Config::default(),
    };
    let mut index = 0;
    while index < args.len() {
        let flag = args[index].as_str();
        match flag {
            "--listen" => {
                options.listen = value(args, &mut index, flag)?
                    .parse()
                    .map_err(|e| format!("--listen: {e}"))?
            }
            "--latency-ms" => {
                let millis: u64 = value(args, &mut index, flag)?
                    .parse()
                    .map_err(|e| format!("--latency-ms: {e}"))?;
                options.config.latency = Duration::from_millis(millis);
            }
            "--time-scale" => {
                options.config.time_scale = value(args, &mut index, flag)?
                    .parse()
                    .map_err(|e| format!("--time-scale: {e}"))?
            }
            "--state" => {
                options.config.state_file = Some(PathBuf::from(value(args, &mut index, flag)?))
            }
            "--page-size" => {
                options.config.page_size = value(args, &mut index, flag)?
                    .parse()
                    .map_err(|e| format!("--page-size: {e}"))?
            }
            "--tenant-id" => options.config.tenant_id = value(args, &mut index, flag)?.to_string(),
            "--throttle" => options.config.throttle = true,
            "--allow-non-loopback" => options.allow_non_loopback = true,
            "--record" => record = Some(value(args, &mut index, flag)?.to_string()),
            "--cassette" => cassette = Some(PathBuf::from(value(args, &mut index, flag)?)),
            "--playback" => playback = Some(PathBuf::from(value(args, &mut index, flag)?)),
            "--tls" => options.tls = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
        index += 1;
    }
    options.mode = match (record, cassette, playback) {
        (None, None, None) => Mode::Simulate,
        (Some(upstream), Some(cassette), None) => Mode::Record { upstream, cassette },
        (None, None, Some(cassette)) => Mode::Playback { cassette },
        _ => {
            return Err(format!(
                "use either --record URL --cassette FILE or --playback FILE\n{USAGE}"
            ))
        }
    };
    if !options.listen.ip().is_loopback() && !options.allow_non_loopback {
        return Err(format!(
            "refusing to listen on non-loopback address {} without --allow-non-loopback",
            options.listen
        ));
    }
    Ok(options)
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("mock-arm: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("mock-arm: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.listen).await?;
        let address = listener.local_addr()?;
        let mut stdout = std::io::stdout();
        if options.tls {
            let tls = mock_arm::TestTls::generate()?;
            let ca_path = std::env::temp_dir().join(format!("mock-arm-{}-ca.pem", address.port()));
            std::fs::write(&ca_path, tls.ca_pem())?;
            writeln!(stdout, "mock-arm listening on https://{address}")?;
            writeln!(stdout, "mock-arm test CA: {}", ca_path.display())?;
            stdout.flush()?;
            return mock_arm::serve_tls(listener, options.config, tls).await;
        }
        writeln!(stdout, "mock-arm listening on http://{address}")?;
        stdout.flush()?;
        match options.mode {
            Mode::Simulate => mock_arm::serve(listener, options.config).await,
            Mode::Record { upstream, cassette } => {
                mock_arm::serve_recording(listener, &upstream, cassette).await
            }
            Mode::Playback { cassette } => mock_arm::serve_playback(listener, &cassette).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("mock-arm: {error}");
            ExitCode::FAILURE
        }
    }
}
