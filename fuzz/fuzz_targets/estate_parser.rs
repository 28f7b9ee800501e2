//! libFuzzer target: arbitrary bytes as one estate file, and as an overlay over a valid estate,
//! through the whole loader (YAML, environment substitution, merge, defaults, validation).
#![no_main]

use aksctl::spec::{load_inputs, Input};
use libfuzzer_sys::fuzz_target;

const BASE: &[u8] = include_bytes!("../../plans/shared-prod.yaml");

fn environment(name: &str) -> Option<String> {
    (name == "AZURE_SUBSCRIPTION_ID").then(|| "00000000-0000-0000-0000-00000000c0de".to_owned())
}

fuzz_target!(|data: &[u8]| {
    let single = vec![Input {
        name: "fuzz.yaml".to_owned(),
        bytes: Ok(data.to_vec()),
    }];
    if let Err(diagnostics) = load_inputs(single, &environment) {
        let _ = format!("{diagnostics:?}");
    }
    let layered = vec![
        Input {
            name: "base.yaml".to_owned(),
            bytes: Ok(BASE.to_vec()),
        },
        Input {
            name: "overlay.yaml".to_owned(),
            bytes: Ok(data.to_vec()),
        },
    ];
    let _ = load_inputs(layered, &environment);
});
