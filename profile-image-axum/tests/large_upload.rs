//! A 70 MB upload (over the default 64 MiB limit) is refused with the core's
//! `image.file_too_large` and its exact size, without being buffered: the heap of the whole
//! process (server and client, which streams the body from a static buffer) stays under 8 MiB.
//!
//! A test binary of its own: the counting allocator's counters are global.

#[path = "../examples/server/app.rs"]
mod app;
#[path = "../../tests/support/counting.rs"]
mod counting;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use profile_image::Options;
use reqwest::multipart::{Form, Part};

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

const SIZE: u64 = 70_000_000;
static CHUNK: [u8; 1 << 16] = [0xA5; 1 << 16];

#[test]
fn a_70_mb_upload_is_refused_without_being_buffered() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (base, client) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let config = app::Config {
            options: Options::default(),
            memory_budget: 1 << 30,
            read_timeout: Duration::from_secs(60),
            api_keys: HashMap::from([("key".to_string(), vec![app::REQUIRED_SCOPE.to_string()])]),
            rate_limit: 10,
            rate_window: Duration::from_secs(60),
            base_url: base.clone(),
            store: Arc::new(app::MemoryStore::new([7])),
            clock: Arc::new(app::SystemClock),
        };
        let router = app::router(config);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (base, reqwest::Client::new())
    });

    let (answer, peak) = counting::peak_of(|| {
        runtime.block_on(async {
            let chunks = (0..SIZE.div_ceil(CHUNK.len() as u64)).map(|i| {
                let len = (SIZE - i * CHUNK.len() as u64).min(CHUNK.len() as u64) as usize;
                Ok::<_, std::io::Error>(Bytes::from_static(&CHUNK[..len]))
            });
            let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
            let part = Part::stream_with_length(body, SIZE)
                .file_name("huge.jpg")
                .mime_str("image/jpeg")
                .unwrap();
            let response = client
                .put(format!("{base}/v1/customers/7/images"))
                .header("X-Api-Key", "key")
                .multipart(Form::new().part("image", part))
                .send()
                .await
                .unwrap();
            (response.status(), response.bytes().await.unwrap())
        })
    });
    let (status, body) = answer;
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    println!("70 MB upload: {status}, peak heap {peak} bytes");
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        serde_json::json!({
            "errorMessage": "the uploaded image is 70000000 bytes, more than the limit of 67108864 bytes",
            "errorCode": "image.file_too_large",
            "args": [70000000, 67108864],
            "typedArgs": [{"value": 70000000, "type": "INTEGER"}, {"value": 67108864, "type": "INTEGER"}],
            "reference": "image"
        })
    );
    assert!(
        peak < 8 << 20,
        "peak heap {peak} bytes while refusing a 70 MB upload"
    );
}
