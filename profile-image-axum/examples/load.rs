//! A bounded load on the reference server: `COUNT` uploads of one file, `CONCURRENCY` at a time,
//! then requests/s, latency percentiles and the statuses seen.
//!
//! ```text
//! cargo run --release -p profile-image-axum --example load -- URL FILE [CONCURRENCY] [COUNT]
//! ```
//!
//! `URL` is the endpoint (e.g. `http://127.0.0.1:8080/v1/customers/1/images`); the key sent is
//! `PROFILE_IMAGE_KEY`, by default the server example's `demo-write-key`. Mind the server's rate
//! limit of 60 requests per key per minute: start it with `PROFILE_IMAGE_RATE_LIMIT` raised.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, file, rest @ ..] = args.as_slice() else {
        return Err("usage: load URL FILE [CONCURRENCY] [COUNT]".into());
    };
    let concurrency: usize = rest.first().map_or(Ok(4), |s| s.parse())?;
    let count: usize = rest.get(1).map_or(Ok(200), |s| s.parse())?;
    if concurrency == 0 || count == 0 {
        return Err("CONCURRENCY and COUNT must be at least 1".into());
    }
    let key = std::env::var("PROFILE_IMAGE_KEY").unwrap_or_else(|_| "demo-write-key".into());
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let name = std::path::Path::new(file)
        .file_name()
        .map_or("upload".into(), |n| n.to_string_lossy().into_owned());
    let client = reqwest::Client::new();

    let started = Instant::now();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..concurrency {
        let (client, url, key, bytes, name, sender, next) = (
            client.clone(),
            url.clone(),
            key.clone(),
            bytes.clone(),
            name.clone(),
            sender.clone(),
            next.clone(),
        );
        tokio::spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < count {
                let form = Form::new().part("image", Part::bytes(bytes.clone()).file_name(name.clone()));
                let start = Instant::now();
                let status = match client
                    .put(&url)
                    .header("X-Api-Key", &key)
                    .multipart(form)
                    .send()
                    .await
                {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                if sender.send((status, start.elapsed())).is_err() {
                    return;
                }
            }
        });
    }
    drop(sender);
    let mut latencies: Vec<Duration> = Vec::with_capacity(count);
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    while let Some((status, latency)) = receiver.recv().await {
        latencies.push(latency);
        *statuses.entry(status).or_default() += 1;
    }
    let wall = started.elapsed();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    println!(
        "{} requests of {} ({} bytes), {concurrency} at a time: {:.1} requests/s, p50 {:.3} s, p99 {:.3} s, wall {:.1} s",
        latencies.len(),
        name,
        bytes.len(),
        latencies.len() as f64 / wall.as_secs_f64(),
        percentile(0.5).as_secs_f64(),
        percentile(0.99).as_secs_f64(),
        wall.as_secs_f64()
    );
    println!("statuses (0: no answer): {statuses:?}");
    Ok(())
}
