//! The HTTP side of mock-arm: shared application state, the router (ARM fallback, token
//! endpoint, `/_mock/*` control API) and the accept loop (which can drop a connection on
//! purpose for `drop` faults).

mod arm;
mod control;
mod faults;
mod response;
mod throttle;
pub mod tls;
mod token;

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Notify;
use tower::ServiceExt;

use crate::backend::durations::DurationTable;
use crate::backend::snapshot;
use crate::backend::world::{Settings, World};
use crate::{Config, MockArmError};

/// One logged ARM request (`GET /_mock/requests`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// 0 when the connection was dropped by a fault.
    pub status: u16,
    pub body: Value,
    /// Milliseconds since the server started, at arrival.
    pub time: f64,
    pub duration_ms: f64,
}

/// Everything the handlers share.
pub struct App {
    pub config: Config,
    pub scheme: &'static str,
    pub started: Instant,
    pub world: Mutex<World>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub faults: Mutex<faults::FaultTable>,
    pub throttle: Mutex<throttle::Throttle>,
}

/// Locks a mutex, recovering the data if a previous holder panicked.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl App {
    pub fn new(config: Config, scheme: &'static str) -> Result<App, MockArmError> {
        if !(config.time_scale.is_finite() && config.time_scale >= 0.0) {
            return Err(MockArmError::Config(format!(
                "time scale must be a finite number >= 0, got {}",
                config.time_scale
            )));
        }
        if config.page_size == 0 {
            return Err(MockArmError::Config(
                "page size must be at least 1".to_string(),
            ));
        }
        let settings = Settings {
            time_scale: config.time_scale,
            page_size: config.page_size,
            tenant_id: config.tenant_id.clone(),
            principal_not_found_window: config.principal_not_found_window,
            durations: DurationTable::modelled(),
        };
        let mut world = World::new(settings);
        if let Some(path) = config.state_file.as_ref().filter(|path| path.exists()) {
            let fail = |message: String| MockArmError::StateFile {
                path: path.clone(),
                message,
            };
            let text = std::fs::read_to_string(path).map_err(|error| fail(error.to_string()))?;
            let document: Value =
                serde_json::from_str(&text).map_err(|error| fail(error.to_string()))?;
            snapshot::import(&mut world, &document, true).map_err(|error| fail(error.message))?;
        }
        Ok(App {
            config,
            scheme,
            started: Instant::now(),
            world: Mutex::new(world),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(faults::FaultTable::default()),
            throttle: Mutex::new(throttle::Throttle::default()),
        })
    }

    /// Writes the state file (temp file + rename) when the world changed. Call with the lock held.
    pub fn save_if_dirty(&self, world: &mut World) {
        if !world.dirty {
            return;
        }
        world.dirty = false;
        let Some(path) = &self.config.state_file else {
            return;
        };
        let document = snapshot::export(world);
        let _ = write_atomically(path, &document);
    }
}

fn write_atomically(path: &Path, document: &Value) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(document).map_err(std::io::Error::other)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_string());
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, path)
}

/// Closes the connection a request arrived on (for `drop` faults).
#[derive(Clone)]
pub struct ConnectionKill(pub Arc<Notify>);

/// The simulator's routes.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/_mock/requests",
            get(control::requests).delete(control::clear_requests),
        )
        .route(
            "/_mock/state",
            get(control::state).put(control::replace_state),
        )
        .route(
            "/_mock/faults",
            get(control::faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route(
            "/_mock/taken-names",
            get(control::taken_names)
                .post(control::add_taken_name)
                .delete(control::clear_taken_names),
        )
        .route("/_mock/autoscale", post(control::autoscale))
        .route("/_mock/auto-upgrade", post(control::auto_upgrade))
        .route("/_mock/reset", post(control::reset))
        .route("/_mock/operations", get(control::operations))
        .route("/{tenant}/oauth2/v2.0/token", post(token::token))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(token::openid_configuration),
        )
        .fallback(arm::handle)
        .with_state(app)
}

/// Accepts connections until `shutdown` completes (over TLS when `tls` is given).
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    tls: Option<tls::TestTls>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve_connection(stream, router).await,
                        Some(tls) => {
                            if let Ok(stream) = tls.acceptor.accept(stream).await {
                                serve_connection(stream, router).await;
                            }
                        }
                    }
                });
            }
        }
    }
}

/// Serves one connection; a `drop` fault ends it without an answer.
async fn serve_connection<I>(io: I, router: Router)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let kill = Arc::new(Notify::new());
    let kill_for_requests = kill.clone();
    let service =
        hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectionKill(kill_for_requests.clone()));
            router.clone().oneshot(request)
        });
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = connection => {}
        _ = kill.notified() => {}
    }
}
