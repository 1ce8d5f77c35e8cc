//! The reference server (`examples/server`) driven through a real HTTP client on an ephemeral
//! loopback port: every status of the endpoint, each error body field for field, the image URL
//! served and then expired (a clock the test moves), and concurrent uploads for one customer.

#[path = "../examples/server/app.rs"]
mod app;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use app::{Clock, Config, ImageStore, MemoryStore, StoreError, Stored, URL_LIFETIME};
use axum::body::Bytes;
use futures_util::StreamExt;
use profile_image::{normalize_profile_image_with, Options, Upload};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

const WRITE_KEY: &str = "write-key";
const READ_KEY: &str = "read-key";

fn photo() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/photo-2000x1500.jpg"
    ))
    .expect("the fixture photo")
}

fn gif() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/gif89a.gif")).expect("the GIF fixture")
}

/// A clock that moves only when told.
struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// A store whose every operation fails, for the 500.
struct BrokenStore;

impl ImageStore for BrokenStore {
    fn image_etag(&self, _: i64) -> Result<Option<String>, StoreError> {
        Err(StoreError::Unavailable)
    }
    fn put(&self, _: i64, _: Option<&str>, _: Vec<u8>, _: SystemTime) -> Result<Stored, StoreError> {
        Err(StoreError::Unavailable)
    }
    fn get(&self, _: &str, _: SystemTime) -> Result<Option<Bytes>, StoreError> {
        Err(StoreError::Unavailable)
    }
}

struct Server {
    base: String,
    clock: Arc<ManualClock>,
    client: reqwest::Client,
}

impl Server {
    async fn start(edit: impl FnOnce(&mut Config)) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let clock = Arc::new(ManualClock(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        )));
        let mut config = Config {
            options: Options::default(),
            memory_budget: 1 << 30,
            read_timeout: Duration::from_secs(60),
            api_keys: HashMap::from([
                (
                    WRITE_KEY.to_string(),
                    vec!["CUSTOMER_READ".to_string(), "CUSTOMER_WRITE".to_string()],
                ),
                (READ_KEY.to_string(), vec!["CUSTOMER_READ".to_string()]),
            ]),
            rate_limit: 1000,
            rate_window: Duration::from_secs(60),
            base_url: base.clone(),
            store: Arc::new(MemoryStore::new([1, 2, 3, 42, i64::MAX])),
            clock: clock.clone(),
        };
        edit(&mut config);
        let router = app::router(config);
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Server {
            base,
            clock,
            client: reqwest::Client::new(),
        }
    }

    fn put(&self, customer: &str, form: Form) -> reqwest::RequestBuilder {
        self.put_with_key(customer, WRITE_KEY, form)
    }

    fn put_with_key(&self, customer: &str, key: &str, form: Form) -> reqwest::RequestBuilder {
        self.client
            .put(format!("{}/v1/customers/{customer}/images", self.base))
            .header("X-Api-Key", key)
            .multipart(form)
    }
}

fn image_form(bytes: Vec<u8>, file_name: &str, content_type: &str) -> Form {
    Form::new().part(
        "image",
        Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str(content_type)
            .unwrap(),
    )
}

fn photo_form() -> Form {
    image_form(photo(), "me.jpg", "image/jpeg")
}

async fn status_and_body(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{status}"
    );
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (status, body)
}

#[tokio::test]
async fn an_upload_answers_an_image_url_that_serves_the_jpeg_for_15_minutes() {
    let server = Server::start(|_| {}).await;
    let response = server.put("42", photo_form()).send().await.unwrap();
    let etag = response
        .headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::OK);
    let url = body["imageUrl"].as_str().unwrap().to_string();
    assert_eq!(body, json!({ "imageUrl": url }));
    assert!(url.starts_with(&format!("{}/images/", server.base)), "{url}");
    assert!(etag.starts_with("\"42-"), "{etag}");

    // The URL serves exactly what the core makes of the upload.
    let expected = normalize_profile_image_with(
        Upload::new(&photo())
            .with_file_name("me.jpg")
            .with_content_type("image/jpeg"),
        &Options::default(),
    )
    .unwrap();
    let served = server.client.get(&url).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(served.bytes().await.unwrap(), expected.bytes());

    // Still there a second before 15 minutes, gone at 15 minutes.
    server.clock.advance(URL_LIFETIME - Duration::from_secs(1));
    assert_eq!(
        server.client.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    server.clock.advance(Duration::from_secs(1));
    let (status, body) = status_and_body(server.client.get(&url).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({
            "errorMessage": "the image URL does not exist or has expired",
            "errorCode": "image.url_expired",
            "args": [],
            "typedArgs": [],
            "reference": "token"
        })
    );
}

#[tokio::test]
async fn a_bad_image_is_a_400_with_the_cores_error_body_and_the_trace_id() {
    let server = Server::start(|_| {}).await;
    let response = server
        .put("42", image_form(gif(), "me.gif", "image/gif"))
        .header("x-datadog-trace-id", "7311")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Field for field what the core says of the same upload: the content decides first.
    let error =
        normalize_profile_image_with(Upload::new(&gif()).with_file_name("me.gif"), &Options::default())
            .unwrap_err();
    assert_eq!(
        body,
        serde_json::to_value(error.body().with_trace_id("7311")).unwrap()
    );
    assert_eq!(body["errorCode"], "image.unsupported_type");
    assert_eq!(body["traceId"], "7311");

    // A JPEG declared as a PNG.
    let response = server
        .put("42", image_form(photo(), "me.png", "image/png"))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errorCode"], "image.declared_type_mismatch");
    assert!(body.get("traceId").is_none());
}

#[tokio::test]
async fn a_missing_repeated_or_non_multipart_image_field_is_a_400() {
    let server = Server::start(|_| {}).await;
    let cases = [
        (
            Form::new().text("picture", "x"),
            "request.field_missing",
            "the multipart field image is missing",
        ),
        (
            photo_form().part("image", Part::bytes(photo()).file_name("again.jpg")),
            "request.field_repeated",
            "the multipart field image is sent more than once",
        ),
    ];
    for (form, code, message) in cases {
        let (status, body) = status_and_body(server.put("42", form).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{code}");
        assert_eq!(
            body,
            json!({"errorMessage": message, "errorCode": code, "args": [], "typedArgs": [], "reference": "image"})
        );
    }
    let response = server
        .client
        .put(format!("{}/v1/customers/42/images", server.base))
        .header("X-Api-Key", WRITE_KEY)
        .header("content-type", "image/jpeg")
        .body(photo())
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errorCode"], "request.not_multipart");
}

#[tokio::test]
async fn a_missing_wrong_or_misplaced_api_key_is_a_401() {
    let server = Server::start(|_| {}).await;
    let url = format!("{}/v1/customers/42/images", server.base);
    let cases = [
        (None, "the request has no X-Api-Key header"),
        (Some(("X-Api-Key", "not-a-key")), "the API key is not valid"),
        (
            Some(("Authorization", WRITE_KEY)),
            "the request has no X-Api-Key header",
        ),
        (
            Some(("Api-Key", WRITE_KEY)),
            "the request has no X-Api-Key header",
        ),
    ];
    for (header, message) in cases {
        let mut request = server.client.put(&url).multipart(photo_form());
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let (status, body) = status_and_body(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header:?}");
        assert_eq!(
            body,
            json!({"errorMessage": message, "errorCode": "auth.unauthorized", "args": [], "typedArgs": [], "reference": "x-api-key"}),
            "{header:?}"
        );
    }
}

#[tokio::test]
async fn a_key_without_customer_write_is_a_403() {
    let server = Server::start(|_| {}).await;
    let response = server
        .put_with_key("42", READ_KEY, photo_form())
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        body,
        json!({
            "errorMessage": "the API key lacks the scope CUSTOMER_WRITE",
            "errorCode": "auth.scope_missing",
            "args": [["CUSTOMER_WRITE"]],
            "typedArgs": [{"value": ["CUSTOMER_WRITE"], "type": "PERMISSION_LIST"}]
        })
    );
}

#[tokio::test]
async fn an_unknown_customer_is_a_404_and_an_id_beyond_int64_a_400() {
    let server = Server::start(|_| {}).await;
    for (id, status, body) in [
        (
            "1001",
            StatusCode::NOT_FOUND,
            json!({"errorMessage": "customer 1001 does not exist", "errorCode": "customer.not_found",
                   "args": [1001], "typedArgs": [{"value": 1001, "type": "INTEGER"}], "reference": "customerId"}),
        ),
        (
            "9223372036854775808",
            StatusCode::BAD_REQUEST,
            json!({"errorMessage": "the customer id \"9223372036854775808\" is not a 64-bit integer",
                   "errorCode": "customer.invalid_id", "args": ["9223372036854775808"],
                   "typedArgs": [{"value": "9223372036854775808", "type": "STRING"}], "reference": "customerId"}),
        ),
    ] {
        let (got_status, got_body) =
            status_and_body(server.put(id, photo_form()).send().await.unwrap()).await;
        assert_eq!((got_status, got_body), (status, body), "{id}");
    }
    for (id, status, code) in [
        ("-1", StatusCode::NOT_FOUND, "customer.not_found"),
        ("0", StatusCode::NOT_FOUND, "customer.not_found"),
        ("abc", StatusCode::BAD_REQUEST, "customer.invalid_id"),
        ("1.5", StatusCode::BAD_REQUEST, "customer.invalid_id"),
    ] {
        let (got_status, body) = status_and_body(server.put(id, photo_form()).send().await.unwrap()).await;
        assert_eq!(
            (got_status, body["errorCode"].as_str()),
            (status, Some(code)),
            "{id}"
        );
    }
    // A negative id is a text argument: the spec's INTEGER values are unsigned here.
    let (_, body) = status_and_body(server.put("-1", photo_form()).send().await.unwrap()).await;
    assert_eq!(body["typedArgs"], json!([{"value": "-1", "type": "STRING"}]));
    // The largest int64 is an id like any other.
    let response = server
        .put(&i64::MAX.to_string(), photo_form())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stale_if_match_is_a_409_and_of_racing_conditional_uploads_one_wins() {
    let server = Server::start(|_| {}).await;
    let first = server.put("1", photo_form()).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();

    // Four uploads at once, all conditional on the same ETag: one replaces the image, the others
    // find it changed.
    let racers = (0..4).map(|_| {
        let request = server.put("1", photo_form()).header("If-Match", &etag);
        tokio::spawn(async move { request.send().await.unwrap() })
    });
    let mut statuses = Vec::new();
    let mut conflict = None;
    for racer in racers.collect::<Vec<_>>() {
        let response = racer.await.unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::CONFLICT {
            conflict = Some(status_and_body(response).await.1);
        }
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT
        ]
    );
    assert_eq!(
        conflict.unwrap(),
        json!({"errorMessage": "the customer's image changed since the ETag in If-Match",
               "errorCode": "image.precondition_failed", "args": [], "typedArgs": [], "reference": "If-Match"})
    );

    // The old ETag stays stale; `*` matches whatever image there is.
    let stale = server
        .put("1", photo_form())
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    // Checked before the body is read: a stale ETag with a GIF is a 409, not the GIF's 400.
    let stale_gif = server
        .put("1", image_form(gif(), "me.gif", "image/gif"))
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(stale_gif.status(), StatusCode::CONFLICT);
    let any = server
        .put("1", photo_form())
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    assert_eq!(any.status(), StatusCode::OK);
    // A customer without an image has nothing to match.
    let none = server
        .put("2", photo_form())
        .header("If-Match", "*")
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn concurrent_unconditional_uploads_for_one_customer_all_succeed() {
    let server = Server::start(|_| {}).await;
    let uploads = (0..4).map(|_| {
        let request = server.put("3", photo_form());
        tokio::spawn(async move { request.send().await.unwrap() })
    });
    let mut etags = Vec::new();
    for upload in uploads.collect::<Vec<_>>() {
        let response = upload.await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        etags.push(response.headers()["etag"].to_str().unwrap().to_string());
    }
    etags.sort();
    etags.dedup();
    assert_eq!(etags.len(), 4, "each upload is its own version: {etags:?}");
}

#[tokio::test]
async fn a_key_over_its_rate_limit_is_a_429_until_the_window_ends() {
    let server = Server::start(|config| config.rate_limit = 2).await;
    for _ in 0..2 {
        assert_eq!(
            server.put("42", photo_form()).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    server.clock.advance(Duration::from_secs(20));
    let response = server.put("42", photo_form()).send().await.unwrap();
    assert_eq!(response.headers()["retry-after"], "40");
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        body,
        json!({"errorMessage": "more than 2 requests in 60 seconds with this API key",
               "errorCode": "rate_limit.exceeded", "args": [2, 60],
               "typedArgs": [{"value": 2, "type": "INTEGER"}, {"value": 60, "type": "INTEGER"}]})
    );
    // Another key has its own count; the window's end resets this one's.
    let other = server
        .put_with_key("42", READ_KEY, photo_form())
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    server.clock.advance(Duration::from_secs(40));
    assert_eq!(
        server.put("42", photo_form()).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_failing_store_is_a_500_in_the_spec_shape() {
    let server = Server::start(|config| config.store = Arc::new(BrokenStore)).await;
    let response = server
        .put("42", photo_form())
        .header("x-datadog-trace-id", "99")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"errorMessage": "the request could not be completed because of an internal error in the image store",
               "errorCode": "internal_error", "traceId": "99", "args": [], "typedArgs": []})
    );
}

#[tokio::test]
async fn an_unknown_route_is_a_spec_shaped_404() {
    let server = Server::start(|_| {}).await;
    let (status, body) = status_and_body(
        server
            .client
            .get(format!("{}/v2/nothing", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        json!({"errorMessage": "no such route", "errorCode": "route.not_found", "args": [], "typedArgs": [], "reference": "path"})
    );
}

#[tokio::test]
async fn an_image_over_the_limit_is_refused_with_its_size_whether_its_length_is_declared_or_not() {
    let server = Server::start(|config| config.options.limits.max_input_bytes = 1000).await;
    // Declared far over the limit: counted without keeping a byte. Streamed: kept up to the limit,
    // then counted.
    let declared = Part::bytes(vec![0xFF; 70_000]).file_name("big.jpg");
    let chunks = (0..5).map(|_| Ok::<_, std::io::Error>(Bytes::from_static(&[0xFF; 1000])));
    let streamed =
        Part::stream(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))).file_name("big.jpg");
    for (part, size) in [(declared, 70_000), (streamed, 5000)] {
        let response = server
            .put("42", Form::new().part("image", part))
            .send()
            .await
            .unwrap();
        let (status, body) = status_and_body(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["errorCode"], "image.file_too_large");
        assert_eq!(body["args"], json!([size, 1000]));
    }
    // At the limit exactly, the core reads the image (a run of 0xFF is no image).
    let at_limit = Part::bytes(vec![0xFF; 1000]).file_name("big.jpg");
    let (status, body) = status_and_body(
        server
            .put("42", Form::new().part("image", at_limit))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errorCode"], "image.unsupported_type");
}

#[tokio::test]
async fn a_body_past_the_read_limit_malformed_or_stalled_is_refused() {
    let server = Server::start(|config| {
        config.options.limits.max_input_bytes = 1000;
        config.read_timeout = Duration::from_millis(300);
    })
    .await;
    // Reading stops at twice the limit plus 1 MiB, whatever field the bytes are in.
    let form = Form::new()
        .text("comment", "x".repeat(1 << 21))
        .part("image", Part::bytes(photo()).file_name("me.jpg"));
    let (status, body) = status_and_body(server.put("42", form).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errorCode"], "request.too_large");

    // A multipart body that never closes.
    let response = server
        .client
        .put(format!("{}/v1/customers/42/images", server.base))
        .header("X-Api-Key", WRITE_KEY)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body("--XYZ\r\ncontent-disposition: form-data; name=\"image\"\r\n\r\nabc")
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"errorMessage": "the request body is not valid multipart/form-data or ends early",
               "errorCode": "request.malformed_multipart", "args": [], "typedArgs": [], "reference": "image"})
    );

    // A body that stops arriving: 408 once the read timeout passes, and the turn is free again.
    let first = Ok::<_, std::io::Error>(Bytes::from_static(
        b"--XYZ\r\ncontent-disposition: form-data; name=\"image\"\r\n\r\n",
    ));
    let stalled = futures_util::stream::iter([first]).chain(futures_util::stream::pending());
    let response = server
        .client
        .put(format!("{}/v1/customers/42/images", server.base))
        .header("X-Api-Key", WRITE_KEY)
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body(reqwest::Body::wrap_stream(stalled))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(body["errorCode"], "request.timeout");
    assert_eq!(body["args"], json!([0]));
}

#[tokio::test]
async fn a_wrong_method_is_a_spec_shaped_405() {
    let server = Server::start(|_| {}).await;
    let response = server
        .client
        .get(format!("{}/v1/customers/42/images", server.base))
        .send()
        .await
        .unwrap();
    let (status, body) = status_and_body(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        body,
        json!({"errorMessage": "the route does not take this method", "errorCode": "route.method_not_allowed",
               "args": [], "typedArgs": [], "reference": "method"})
    );
}
