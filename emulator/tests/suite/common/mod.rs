//! Test support shared by the emulator's integration tests.

use acs_identity::signing::{SignableRequest, SignatureHeaders, format_date};
use acs_identity_emulator::Emulator;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// A plain reqwest client that keeps no idle connection (each request opens its own).
pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// The `Host` the emulator sees.
pub(crate) fn host(emulator: &Emulator) -> String {
    format!("127.0.0.1:{}", emulator.port())
}

/// A request to the emulator with `content_type`, signed over `signed_body` with the emulator's
/// access key at `date`, its signature headers changed by `tamper` after signing. The caller
/// sets the body it sends (usually the one signed).
pub(crate) fn signed(
    emulator: &Emulator,
    method: &str,
    target: &str,
    content_type: &str,
    signed_body: &[u8],
    date: DateTime<Utc>,
    tamper: impl FnOnce(&mut SignatureHeaders),
) -> reqwest::RequestBuilder {
    let mut headers = emulator.access_key().sign(
        &SignableRequest::new(method, target, &host(emulator)).with_body(signed_body),
        &format_date(date),
    );
    tamper(&mut headers);
    http()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{target}", emulator.endpoint()),
        )
        .header("x-ms-date", headers.date)
        .header("x-ms-content-sha256", headers.content_hash)
        .header("authorization", headers.authorization)
        .header("content-type", content_type)
}

/// Status and JSON body (`Null` when empty).
pub(crate) async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    (status, json)
}

/// A request with `content_type`, signed with the emulator's access key now: its status and
/// JSON body (`Null` when empty).
pub(crate) async fn send_signed(
    emulator: &Emulator,
    method: &str,
    target: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Value) {
    let response = signed(
        emulator,
        method,
        target,
        content_type,
        body,
        Utc::now(),
        |_| {},
    )
    .body(body.to_vec())
    .send()
    .await
    .expect("an answer");
    status_and_json(response).await
}

/// A JSON request signed with the emulator's access key now: its status and JSON body.
pub(crate) async fn send_json(
    emulator: &Emulator,
    method: &str,
    target: &str,
    body: &[u8],
) -> (u16, Value) {
    send_signed(emulator, method, target, "application/json", body).await
}
