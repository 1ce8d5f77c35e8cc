//! The reference server of `PUT /v1/customers/{customerId}/images`.
//!
//! ```text
//! cargo run --release -p profile-image-axum --example server
//! ```
//!
//! Listens on `PROFILE_IMAGE_ADDR` (default `127.0.0.1:8080`) with a memory budget of
//! `PROFILE_IMAGE_MEMORY_MIB` (default 1024) for uploads in flight, and a rate limit of
//! `PROFILE_IMAGE_RATE_LIMIT` requests per key per minute (default 60). Demo data: customers 1 to
//! 1000; the key `demo-write-key` has the scope `CUSTOMER_WRITE`, `demo-read-key` has not. The
//! first lines printed say all of it.

mod app;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use profile_image::Options;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("PROFILE_IMAGE_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let budget_mib = number_from_env("PROFILE_IMAGE_MEMORY_MIB", 1024)?;
    let rate_limit = number_from_env("PROFILE_IMAGE_RATE_LIMIT", 60)?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let config = app::Config {
        options: Options::default(),
        memory_budget: budget_mib << 20,
        read_timeout: Duration::from_secs(60),
        api_keys: HashMap::from([
            (
                "demo-write-key".to_string(),
                vec![app::REQUIRED_SCOPE.to_string()],
            ),
            ("demo-read-key".to_string(), vec!["CUSTOMER_READ".to_string()]),
        ]),
        rate_limit: u32::try_from(rate_limit).unwrap_or(u32::MAX),
        rate_window: Duration::from_secs(60),
        base_url: format!("http://{local}"),
        store: Arc::new(app::MemoryStore::new(1..=1000)),
        clock: Arc::new(app::SystemClock),
    };
    let per_call = profile_image_axum::Normalizer::memory_per_call(&config.options.limits);
    println!("listening on http://{local}");
    println!(
        "memory budget {budget_mib} MiB: {} uploads at once ({} MiB each at most)",
        (config.memory_budget / per_call).max(1),
        per_call >> 20
    );
    println!("customers 1 to 1000; keys demo-write-key (CUSTOMER_WRITE), demo-read-key (no write)");
    println!("rate limit: {rate_limit} requests per key per minute");
    println!(
        "try: curl -i -X PUT -H 'X-Api-Key: demo-write-key' -F image=@fixtures/photo-2000x1500.jpg \
         http://{local}/v1/customers/1/images"
    );
    axum::serve(listener, app::router(config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// A whole number from the environment, or the default when the variable is not set.
fn number_from_env(name: &str, default: usize) -> std::io::Result<usize> {
    match std::env::var(name) {
        Ok(value) => value.parse().map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{name} is not a whole number: {value}"),
            )
        }),
        Err(_) => Ok(default),
    }
}
