//! A loopback HTTP/1.1 interposer between aksctl and mock-arm: it answers the token endpoint with
//! a canary token, forwards everything else to the mock (rewriting the mock's address to its own
//! in headers and bodies so long-running operations and `nextLink`s come back through it), logs
//! what it saw (including the `Authorization` header), and mangles chosen answers the way broken
//! proxies and gateways do: truncated JSON, unexpected types, an HTML error page, missing
//! long-running-operation headers, a `nextLink` to a foreign host, a body echoing the token.

use std::sync::{Arc, Mutex};

use regex::Regex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How an answer is mangled.
#[derive(Debug, Clone)]
pub enum Mangle {
    /// Keep status and headers, cut the body in half.
    TruncateBody,
    /// Answer this instead of forwarding (the request is not forwarded).
    Replace {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Forward, then drop `Azure-AsyncOperation`, `Location` and `Retry-After` from the answer.
    StripOperationHeaders,
    /// Forward, then replace every `nextLink` value by this URL.
    NextLinkTo(String),
    /// Answer with this status and a body that quotes the request's `Authorization` header.
    EchoAuthorization { status: u16 },
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub method: Option<&'static str>,
    pub path: Regex,
    /// Fire for this many matching requests (0 = every one).
    pub times: u64,
    pub fired: u64,
    pub mangle: Mangle,
}

impl Rule {
    pub fn new(method: Option<&'static str>, path: &str, times: u64, mangle: Mangle) -> Rule {
        Rule {
            method,
            path: Regex::new(path).expect("rule regex"),
            times,
            fired: 0,
            mangle,
        }
    }
}

/// A request the interposer saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub authorization: Option<String>,
}

struct Shared {
    upstream: String,
    own: Mutex<String>,
    token: String,
    rules: Mutex<Vec<Rule>>,
    log: Mutex<Vec<Seen>>,
}

/// A running interposer; stops when dropped.
pub struct Interposer {
    url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Interposer {
    /// Starts on a random loopback port in front of `upstream` (a mock-arm URL), issuing `token`.
    pub fn start(upstream: &str, token: &str) -> Interposer {
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            own: Mutex::new(String::new()),
            token: token.to_owned(),
            rules: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        });
        let (ready_sender, ready_receiver) = std::sync::mpsc::channel();
        let (stop_sender, stop_receiver) = tokio::sync::oneshot::channel::<()>();
        let serving = Arc::clone(&shared);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("interposer runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let url = format!("http://{}", listener.local_addr().expect("address"));
                *serving.own.lock().expect("own") = url.clone();
                ready_sender.send(url).expect("ready");
                let accept = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let shared = Arc::clone(&serving);
                        tokio::spawn(async move {
                            let _ = serve(stream, &shared).await;
                        });
                    }
                };
                tokio::select! {
                    _ = accept => {}
                    _ = stop_receiver => {}
                }
            });
        });
        let url = ready_receiver.recv().expect("interposer started");
        Interposer {
            url,
            shared,
            stop: Some(stop_sender),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn add(&self, rule: Rule) {
        self.shared.rules.lock().expect("rules").push(rule);
    }

    /// How many times each rule fired.
    pub fn fired(&self) -> Vec<u64> {
        self.shared
            .rules
            .lock()
            .expect("rules")
            .iter()
            .map(|rule| rule.fired)
            .collect()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.log.lock().expect("log").clone()
    }
}

impl Drop for Interposer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn write_answer(stream: &mut TcpStream, answer: &Answer) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} Mangled\r\n", answer.status);
    for (name, value) in &answer.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        answer.body.len()
    ));
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&answer.body).await?;
    stream.flush().await?;
    stream.shutdown().await
}

fn take_rule(shared: &Shared, method: &str, path: &str) -> Option<Mangle> {
    let mut rules = shared.rules.lock().expect("rules");
    for rule in rules.iter_mut() {
        let method_matches = rule
            .method
            .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method));
        let exhausted = rule.times != 0 && rule.fired >= rule.times;
        if method_matches && !exhausted && rule.path.is_match(path) {
            rule.fired += 1;
            return Some(rule.mangle.clone());
        }
    }
    None
}

async fn serve(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await else {
        return Ok(());
    };
    let path = request
        .target
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let token_endpoint = path.ends_with("/oauth2/v2.0/token");
    let answer = {
        match take_rule(shared, &request.method, &path) {
            Some(Mangle::Replace {
                status,
                content_type,
                body,
            }) => Answer {
                status,
                headers: vec![("content-type".into(), content_type.into())],
                body,
            },
            Some(Mangle::EchoAuthorization { status }) => Answer {
                status,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: format!(
                    "Gateway rejected request {} {}. Headers received: Authorization: {}; raw token: {}",
                    request.method,
                    request.target,
                    request.header("authorization").unwrap_or_default(),
                    request
                        .header("authorization")
                        .unwrap_or_default()
                        .trim_start_matches("Bearer ")
                )
                .into_bytes(),
            },
            _ if token_endpoint => {
                let body = serde_json::json!({
                    "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                    "access_token": shared.token,
                });
                Answer {
                    status: 200,
                    headers: vec![("content-type".into(), "application/json".into())],
                    body: body.to_string().into_bytes(),
                }
            }
            mangle => {
                let mut answer = forward(shared, &request).await;
                match mangle {
                    Some(Mangle::TruncateBody) => {
                        let half = answer.body.len() / 2;
                        answer.body.truncate(half.max(1));
                    }
                    Some(Mangle::StripOperationHeaders) => {
                        answer.headers.retain(|(name, _)| {
                            !["azure-asyncoperation", "location", "retry-after"]
                                .contains(&name.to_ascii_lowercase().as_str())
                        });
                    }
                    Some(Mangle::NextLinkTo(url)) => {
                        if let Ok(mut value) =
                            serde_json::from_slice::<serde_json::Value>(&answer.body)
                        {
                            value["nextLink"] = serde_json::Value::String(url);
                            answer.body = value.to_string().into_bytes();
                        }
                    }
                    _ => {}
                }
                answer
            }
        }
    };
    shared.log.lock().expect("log").push(Seen {
        method: request.method.clone(),
        target: request.target.clone(),
        authorization: request.header("authorization").map(str::to_owned),
    });
    write_answer(&mut stream, &answer).await
}

async fn forward(shared: &Shared, request: &Request) -> Answer {
    let own = shared.own.lock().expect("own").clone();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("forwarding client");
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).expect("method");
    let mut outgoing = client.request(method, format!("{}{}", shared.upstream, request.target));
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if !["host", "connection", "content-length", "transfer-encoding"].contains(&lower.as_str())
        {
            outgoing = outgoing.header(name, value);
        }
    }
    let response = match outgoing.body(request.body.clone()).send().await {
        Ok(response) => response,
        Err(error) => {
            return Answer {
                status: 502,
                headers: Vec::new(),
                body: format!("interposer: upstream failed: {error}").into_bytes(),
            }
        }
    };
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| {
            !["connection", "content-length", "transfer-encoding"].contains(&name.as_str())
        })
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).replace(&shared.upstream, &own),
            )
        })
        .collect();
    let body = response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&body)
        .replace(&shared.upstream, &own)
        .into_bytes();
    Answer {
        status,
        headers,
        body,
    }
}
