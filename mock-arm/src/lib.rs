//! mock-arm: an offline Azure Resource Manager simulator for the resource types aksctl manages.
//!
//! The crate is split into a backend (`backend/`: the world's state and ARM's rules, one file per
//! resource provider, no HTTP) and an HTTP layer (`http/`: routing, the ARM request pipeline, one
//! response/error adapter, the token endpoint and the `/_mock/*` control API).
//!
//! Embed it with [`MockArm::start`] (own thread and runtime, random loopback port) or [`serve`]
//! (inside an existing tokio runtime). See `docs/mock-arm.md` for the routes and the control API.

mod backend;
mod cassette;
mod http;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use backend::durations::{DurationTable, OperationDuration};
pub use backend::kubernetes::POOL_SKEW_MINORS;

/// How a mock-arm instance behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Added to every ARM request before it is answered (`--latency-ms`).
    pub latency: Duration,
    /// Multiplies the modelled long-running-operation durations (`--time-scale`).
    pub time_scale: f64,
    /// Enforce ARM's per-subscription token buckets (`--throttle`).
    pub throttle: bool,
    /// Items per list page before a `nextLink` is returned (`--page-size`).
    pub page_size: usize,
    /// Loaded at start when it exists; rewritten atomically after every mutation (`--state`).
    pub state_file: Option<PathBuf>,
    /// After an identity is created, role assignment PUTs naming its principal without a
    /// `principalType` fail with `PrincipalNotFound` for this long (multiplied by `time_scale`).
    pub principal_not_found_window: Duration,
    /// The tenant every identity and token belongs to.
    pub tenant_id: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            latency: Duration::ZERO,
            time_scale: 0.01,
            throttle: false,
            page_size: 100,
            state_file: None,
            principal_not_found_window: Duration::from_secs(60),
            tenant_id: "00000000-0000-0000-0000-00000000a0a0".to_string(),
        }
    }
}

/// Errors when starting or running a mock-arm server.
#[derive(Debug, thiserror::Error)]
pub enum MockArmError {
    #[error("cannot bind or use the listening socket: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot load the state file {path}: {message}")]
    StateFile { path: PathBuf, message: String },
    #[error("cannot load the cassette {path}: {message}")]
    Cassette { path: PathBuf, message: String },
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// A running mock-arm on its own thread; the server stops when this value is dropped.
pub struct MockArm {
    url: String,
    address: SocketAddr,
    ca_pem: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MockArm {
    /// Binds 127.0.0.1:0 and serves on its own thread with its own tokio runtime.
    pub fn start(config: Config) -> Result<MockArm, MockArmError> {
        let app = Arc::new(http::App::new(config, "http")?);
        MockArm::spawn(http::router(app), None)
    }

    /// Like [`MockArm::start`], but over https with a freshly generated test CA
    /// ([`MockArm::ca_certificate_pem`]); the URL is `https://127.0.0.1:PORT`.
    pub fn start_tls(config: Config) -> Result<MockArm, MockArmError> {
        let tls = TestTls::generate()?;
        let app = Arc::new(http::App::new(config, "https")?);
        MockArm::spawn(http::router(app), Some(tls.0))
    }

    /// The test CA (PEM) to trust when started with [`MockArm::start_tls`].
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Record mode: proxies every request to `upstream` and writes the sanitized interactions to
    /// `cassette` (rewritten after each one).
    pub fn start_recording(upstream: &str, cassette: PathBuf) -> Result<MockArm, MockArmError> {
        let recorder = Arc::new(cassette::record::Recorder::new(upstream, cassette));
        MockArm::spawn(cassette::record::router(recorder), None)
    }

    /// Playback mode: serves the interactions of `cassette` strictly.
    pub fn start_playback(cassette: &std::path::Path) -> Result<MockArm, MockArmError> {
        let loaded =
            cassette::Cassette::load(cassette).map_err(|message| MockArmError::Cassette {
                path: cassette.to_path_buf(),
                message,
            })?;
        MockArm::spawn(
            cassette::playback::router(Arc::new(cassette::playback::Player::new(loaded))),
            None,
        )
    }

    fn spawn(
        router: axum::Router,
        tls: Option<http::tls::TestTls>,
    ) -> Result<MockArm, MockArmError> {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let ca_pem = tls.as_ref().map(|tls| tls.ca_pem.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("mock-arm")
            .build()?;
        let (shutdown_sender, shutdown_receiver) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("mock-arm".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let shutdown = async {
                        let _ = shutdown_receiver.await;
                    };
                    http::serve_until(listener, router, shutdown, tls).await;
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(MockArm {
            url: format!("{scheme}://{address}"),
            address,
            ca_pem,
            shutdown: Some(shutdown_sender),
            thread: Some(thread),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound socket address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for MockArm {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves mock-arm on `listener` until the task is dropped (for the binary or an existing runtime).
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> Result<(), MockArmError> {
    let app = Arc::new(http::App::new(config, "http")?);
    http::serve_until(
        listener,
        http::router(app),
        std::future::pending::<()>(),
        None,
    )
    .await;
    Ok(())
}

/// A generated self-signed test CA and server certificate (127.0.0.1, localhost) for https.
pub struct TestTls(http::tls::TestTls);

impl TestTls {
    pub fn generate() -> Result<TestTls, MockArmError> {
        http::tls::TestTls::generate()
            .map(TestTls)
            .map_err(MockArmError::Config)
    }

    /// The CA certificate clients must trust (PEM).
    pub fn ca_pem(&self) -> &str {
        &self.0.ca_pem
    }
}

/// Serves mock-arm over https on `listener` with `tls` (see [`TestTls`]).
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    config: Config,
    tls: TestTls,
) -> Result<(), MockArmError> {
    let app = Arc::new(http::App::new(config, "https")?);
    http::serve_until(
        listener,
        http::router(app),
        std::future::pending::<()>(),
        Some(tls.0),
    )
    .await;
    Ok(())
}

/// Serves record mode on `listener` (see [`MockArm::start_recording`]).
pub async fn serve_recording(
    listener: tokio::net::TcpListener,
    upstream: &str,
    cassette: PathBuf,
) -> Result<(), MockArmError> {
    let recorder = Arc::new(cassette::record::Recorder::new(upstream, cassette));
    http::serve_until(
        listener,
        cassette::record::router(recorder),
        std::future::pending::<()>(),
        None,
    )
    .await;
    Ok(())
}

/// Serves playback mode on `listener` (see [`MockArm::start_playback`]).
pub async fn serve_playback(
    listener: tokio::net::TcpListener,
    cassette: &std::path::Path,
) -> Result<(), MockArmError> {
    let loaded = cassette::Cassette::load(cassette).map_err(|message| MockArmError::Cassette {
        path: cassette.to_path_buf(),
        message,
    })?;
    let player = Arc::new(cassette::playback::Player::new(loaded));
    http::serve_until(
        listener,
        cassette::playback::router(player),
        std::future::pending::<()>(),
        None,
    )
    .await;
    Ok(())
}
