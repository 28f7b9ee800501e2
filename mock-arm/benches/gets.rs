//! Benchmark: simple ARM GETs per second against an in-process mock-arm on loopback.
//! Run with `cargo bench -p mock-arm --bench gets` (release build).

use std::time::{Duration, Instant};

use mock_arm::{Config, MockArm};

const CLIENTS: usize = 8;
const DURATION: Duration = Duration::from_secs(5);

#[allow(clippy::print_stdout)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockArm::start(Config::default())?;
    let base = mock.url().to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let total = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let group = format!("{base}/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-bench?api-version=2025-04-01");
        let _ = client
            .put(&group)
            .bearer_auth("bench")
            .json(&serde_json::json!({ "location": "eastus" }))
            .send()
            .await;
        let deadline = Instant::now() + DURATION;
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let client = client.clone();
            let url = group.clone();
            tasks.push(tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < deadline {
                    match client.get(&url).bearer_auth("bench").send().await {
                        Ok(response) if response.status().is_success() => {
                            let _ = response.bytes().await;
                            done += 1;
                        }
                        _ => break,
                    }
                }
                done
            }));
        }
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap_or(0);
        }
        total
    });
    let rate = total as f64 / DURATION.as_secs_f64();
    println!(
        "mock-arm GET benchmark: {total} requests in {}s with {CLIENTS} clients = {rate:.0} GETs/s",
        DURATION.as_secs()
    );
    Ok(())
}
