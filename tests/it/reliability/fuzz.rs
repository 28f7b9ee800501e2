//! Property-based fuzzing (proptest) of the two parsers that read untrusted input: the estate
//! loader (arbitrary bytes, and shipped estates with random byte and line mutations) and the ARM
//! answer models (arbitrary JSON through `LiveResource`, `DeletedVault`, fingerprints, the diff,
//! saved plans; and arbitrary HTTP answers through the real `ArmClient` get/list/put paths).
//! Nothing may panic. `PROPTEST_CASES` scales every property (the long run is documented in
//! `docs/reliability.md`); the default keeps `cargo test` fast.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aksctl::arm::{ArmClient, WriteOptions};
use aksctl::id::ResourceId;
use aksctl::kind::Kind;
use aksctl::live::{canonical_json, fingerprint_of, DeletedVault, LiveResource};
use aksctl::spec::{load_inputs, Input};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::{self, block_on};

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn shipped_estates() -> Vec<Vec<u8>> {
    ["shared-prod.yaml", "northwind.yaml", "gitops-fleet.yaml"]
        .iter()
        .map(|name| std::fs::read(common::repo_path(&format!("plans/{name}"))).expect("estate"))
        .collect()
}

fn load_bytes(inputs: Vec<Vec<u8>>) {
    let inputs = inputs
        .into_iter()
        .enumerate()
        .map(|(index, bytes)| Input {
            name: format!("fuzz-{index}.yaml"),
            bytes: Ok(bytes),
        })
        .collect();
    let environment =
        |name: &str| (name == "AZURE_SUBSCRIPTION_ID").then(|| common::SUBSCRIPTION.to_owned());
    if let Err(diagnostics) = load_inputs(inputs, &environment) {
        // Rendering the diagnostics (source excerpts, carets) must not panic either.
        let _ = format!("{diagnostics:?}");
    }
}

/// A mutation of a text: replace, insert or delete bytes, or duplicate, drop or swap lines.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    DuplicateLine(usize),
    DropLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippet = prop_oneof![
        Just(b": ".to_vec()),
        Just(b"- ".to_vec()),
        Just(b"\n  ".to_vec()),
        Just(b"${".to_vec()),
        Just(b"{[".to_vec()),
        Just(b"&a *a".to_vec()),
        Just(b"!!binary ".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"99999999999999999999".to_vec()),
        Just("\u{feff}é\u{202e}".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Replace(at, byte)),
        (any::<usize>(), snippet).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..40).prop_map(|(at, length)| Mutation::Delete(at, length)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DropLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), 1usize..6).prop_map(|(at, width)| Mutation::Indent(at, width)),
    ]
}

fn mutate(mut text: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        if text.is_empty() {
            break;
        }
        let length = text.len();
        match mutation {
            Mutation::Replace(at, byte) => text[at % length] = *byte,
            Mutation::Insert(at, bytes) => {
                let at = at % length;
                text.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(at, count) => {
                let at = at % length;
                let end = (at + count).min(length);
                text.drain(at..end);
            }
            Mutation::DuplicateLine(_)
            | Mutation::DropLine(_)
            | Mutation::SwapLines(_, _)
            | Mutation::Indent(_, _) => {
                let mut lines: Vec<Vec<u8>> = text
                    .split(|byte| *byte == b'\n')
                    .map(<[u8]>::to_vec)
                    .collect();
                let count = lines.len();
                match mutation {
                    Mutation::DuplicateLine(at) => {
                        let line = lines[at % count].clone();
                        lines.insert(at % count, line);
                    }
                    Mutation::DropLine(at) => {
                        lines.remove(at % count);
                    }
                    Mutation::SwapLines(a, b) => lines.swap(a % count, b % count),
                    Mutation::Indent(at, width) => {
                        let line = &mut lines[at % count];
                        line.splice(0..0, std::iter::repeat_n(b' ', *width));
                    }
                    _ => {}
                }
                text = lines.join(&b'\n');
            }
        }
    }
    text
}

/// Arbitrary JSON, biased towards ARM-looking keys.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("name".to_owned()),
        Just("type".to_owned()),
        Just("location".to_owned()),
        Just("tags".to_owned()),
        Just("properties".to_owned()),
        Just("provisioningState".to_owned()),
        Just("etag".to_owned()),
        Just("identity".to_owned()),
        Just("sku".to_owned()),
        Just("value".to_owned()),
        Just("nextLink".to_owned()),
        Just("aksctl-estate".to_owned()),
        Just("agentPoolProfiles".to_owned()),
        Just("principalId".to_owned()),
        Just("roleDefinitionId".to_owned()),
        Just("vaultId".to_owned()),
        Just("deletionDate".to_owned()),
        "[a-zA-Z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|number| serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)),
        "\\PC{0,24}".prop_map(Value::String),
        Just(Value::String(format!(
            "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
            common::SUBSCRIPTION
        ))),
        Just(Value::String("Microsoft.ContainerService/managedClusters".to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_estate_loader_never_panics_on_arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        header in any::<bool>(),
    ) {
        let mut input = if header {
            b"apiVersion: aksctl.dev/v1alpha1\nkind: Estate\n".to_vec()
        } else {
            Vec::new()
        };
        input.extend(bytes);
        load_bytes(vec![input]);
    }

    #[test]
    fn the_estate_loader_never_panics_on_mutated_estates(
        which in 0usize..3,
        mutations in proptest::collection::vec(mutation(), 1..12),
        overlay in any::<bool>(),
    ) {
        let estates = shipped_estates();
        let mutated = mutate(estates[which].clone(), &mutations);
        if overlay {
            load_bytes(vec![estates[which].clone(), mutated]);
        } else {
            load_bytes(vec![mutated]);
        }
    }

    #[test]
    fn arm_answer_models_never_panic_on_arbitrary_json(body in json_value()) {
        let _ = LiveResource::from_body(body.clone());
        let _ = DeletedVault::from_body(&body);
        let _ = fingerprint_of(&body);
        let _ = canonical_json(&body);
        let _ = aksctl::arm::redact(&body.to_string());
        for kind in Kind::ALL {
            let _ = aksctl::diff::compare(kind, &body, &body);
            let _ = aksctl::diff::compare(kind, &Value::Null, &body);
        }
        let _ = serde_json::from_value::<aksctl::plan::Plan>(body.clone());
        if let Some(id) = body.get("id").and_then(Value::as_str) {
            let id = ResourceId::new(id);
            let _ = (id.parent(), id.subscription_id(), id.resource_group_name(), id.name());
        }
    }

    #[test]
    fn arbitrary_strings_are_safe_as_ids(text in "\\PC{0,200}") {
        let id = ResourceId::new(text.clone());
        let _ = (id.parent(), id.subscription_id(), id.resource_group_name(), id.name());
        let _ = aksctl::arm::redact(&text);
    }

    #[test]
    fn bearer_tokens_are_redacted_whatever_surrounds_them(
        token in "[A-Za-z0-9._~+/-]{8,80}",
        before in "\\PC{0,40}",
        after in "[ ,;\"'}]{0,1}\\PC{0,40}",
    ) {
        let token = format!("CANARY{token}");
        let redacted = aksctl::arm::redact(&format!("{before}Authorization: Bearer {token}{after}"));
        prop_assert!(!redacted.contains(&token), "{}", redacted);
    }
}

/// One canned HTTP answer.
#[derive(Debug, Clone)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A blocking loopback server answering each connection with the next canned answer (the last
/// one repeats), `Connection: close`.
fn canned_server(answers: Vec<Canned>) -> (String, std::thread::JoinHandle<()>, Arc<Mutex<bool>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let stop = Arc::new(Mutex::new(false));
    let stopping = Arc::clone(&stop);
    let base = url.clone();
    let handle = std::thread::spawn(move || {
        let mut queue: VecDeque<Canned> = answers.into();
        while !*stopping.lock().expect("stop") {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            };
            let _ = stream.set_nonblocking(false);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buffer.windows(4).any(|window| window == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => buffer.extend_from_slice(&chunk[..read]),
                }
            }
            let answer = if queue.len() > 1 {
                queue.pop_front()
            } else {
                queue.front().cloned()
            };
            let Some(answer) = answer else { continue };
            let mut head = format!("HTTP/1.1 {} Canned\r\n", answer.status);
            for (name, value) in &answer.headers {
                head.push_str(&format!("{name}: {}\r\n", value.replace("{base}", &base)));
            }
            head.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                answer.body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&answer.body);
        }
    });
    (url, handle, stop)
}

fn canned() -> impl Strategy<Value = Canned> {
    let status = prop_oneof![
        8 => Just(200u16),
        3 => Just(201u16),
        3 => Just(202u16),
        1 => Just(204u16),
        2 => Just(400u16),
        1 => Just(401u16),
        2 => Just(404u16),
        2 => Just(409u16),
        1 => Just(412u16),
        1 => Just(429u16),
        1 => Just(500u16),
        1 => Just(302u16),
        1 => 100u16..600,
    ];
    let header = prop_oneof![
        Just((
            "Azure-AsyncOperation".to_owned(),
            "{base}/subscriptions/s/providers/P/locations/l/operations/1?api-version=1".to_owned()
        )),
        Just((
            "Location".to_owned(),
            "{base}/subscriptions/s/providers/P/locations/l/operationresults/1?api-version=1"
                .to_owned()
        )),
        Just((
            "Location".to_owned(),
            "http://10.0.0.1/elsewhere".to_owned()
        )),
        Just(("Azure-AsyncOperation".to_owned(), "not a url".to_owned())),
        Just(("Retry-After".to_owned(), "0".to_owned())),
        Just(("Retry-After".to_owned(), "soon".to_owned())),
        Just(("retry-after-ms".to_owned(), "-5".to_owned())),
        Just(("x-ms-request-id".to_owned(), "fuzz-request".to_owned())),
        Just(("content-type".to_owned(), "text/html".to_owned())),
        Just(("ETag".to_owned(), "\"0x1\"".to_owned())),
    ];
    let body = prop_oneof![
        json_value().prop_map(|value| value.to_string().into_bytes()),
        json_value().prop_map(|value| {
            let text = value.to_string();
            text.as_bytes()[..text.len() / 2].to_vec()
        }),
        Just(br#"{"status":"Succeeded"}"#.to_vec()),
        Just(br#"{"status":"Failed","error":{"code":"X","message":"failed"}}"#.to_vec()),
        Just(br#"{"status":42}"#.to_vec()),
        Just(br#"{"value":[],"nextLink":"{base}/again"}"#.to_vec()),
        Just(b"<html><body>502 Bad Gateway</body></html>".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
    ];
    (status, proptest::collection::vec(header, 0..4), body).prop_map(|(status, headers, body)| {
        Canned {
            status,
            headers,
            body,
        }
    })
}

/// A 429 whose `Retry-After` is 0, answered for ever, is retried a bounded number of times, not
/// in a tight loop until the request deadline (found by the property below).
#[test]
fn a_429_retry_after_zero_answered_for_ever_ends_in_an_error() {
    let answers = vec![Canned {
        status: 429,
        headers: vec![("Retry-After".to_owned(), "0".to_owned())],
        body: b"{}".to_vec(),
    }];
    let (url, handle, stop) = canned_server(answers);
    let client = ArmClient::for_loopback(&url, "fuzz-token").expect("loopback client");
    let id = ResourceId::in_resource_group(
        common::SUBSCRIPTION,
        "rg",
        Kind::UserAssignedIdentity,
        "id-fuzz",
    );
    let api = Kind::UserAssignedIdentity.api_version();
    let outcome = block_on(async {
        tokio::time::timeout(Duration::from_secs(30), client.get(&id, api)).await
    });
    *stop.lock().expect("stop") = true;
    handle.join().expect("server thread");
    let answered = outcome.expect("the client gave up before the 30 s bound");
    let error = answered.expect_err("a 429 is not a resource");
    assert!(error.to_string().contains("429"), "{error}");
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn the_arm_client_never_panics_on_arbitrary_answers(
        answers in proptest::collection::vec(canned(), 1..5),
        operation in 0u8..3,
    ) {
        let (url, handle, stop) = canned_server(answers);
        let client = ArmClient::for_loopback(&url, "fuzz-token").expect("loopback client");
        let id = ResourceId::in_resource_group(common::SUBSCRIPTION, "rg", Kind::UserAssignedIdentity, "id-fuzz");
        let api = Kind::UserAssignedIdentity.api_version();
        let outcome = block_on(async {
            let work = async {
                match operation {
                    0 => client.get(&id, api).await.map(|_| ()),
                    1 => client
                        .list(&format!("/subscriptions/{}/resourcegroups", common::SUBSCRIPTION), api, &[])
                        .await
                        .map(|_| ()),
                    _ => client
                        .put(
                            &id,
                            api,
                            &serde_json::json!({"location": "eastus"}),
                            &WriteOptions { deadline: Some(Duration::from_secs(2)), ..WriteOptions::default() },
                        )
                        .await
                        .map(|_| ()),
                }
            };
            tokio::time::timeout(Duration::from_secs(30), work).await
        });
        *stop.lock().expect("stop") = true;
        handle.join().expect("server thread");
        prop_assert!(outcome.is_ok(), "the client hung on these answers");
        if let Ok(Err(error)) = outcome {
            let text = error.to_string();
            prop_assert!(!text.is_empty());
            prop_assert!(!text.contains("fuzz-token"), "{}", text);
        }
    }
}
