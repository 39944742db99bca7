//! Signing cost: the crate's `AccessKey::sign` (content hash, string to sign, HMAC, headers)
//! next to the bare sha2/hmac computation over the same bytes, for bodies of 0 B, 100 B and
//! 10 KiB. `cargo bench --bench signing`; the ratio of the two is what to compare across runs.

use acs_identity::AccessKey;
use acs_identity::signing::{SignableRequest, format_date};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::hint::black_box;

const KEY: &str = "cGFzc3dvcmQtZm9yLWJlbmNobWFya3MtMDEyMzQ1Njc4OWFiY2RlZg==";
const PATH: &str = "/identities/8%3Aacs%3A2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081/:issueAccessToken?api-version=2026-09-23";
const HOST: &str = "my-resource.communication.azure.com";

fn signing(c: &mut Criterion) {
    let key = AccessKey::from_base64(KEY).unwrap();
    let raw_key = STANDARD.decode(KEY).unwrap();
    let keyed = Hmac::<Sha256>::new_from_slice(&raw_key).unwrap();
    let date = format_date(chrono::Utc::now());
    let mut group = c.benchmark_group("sign");
    for size in [0usize, 100, 10 * 1024] {
        let body = vec![b'x'; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("acs_identity", size), &body, |b, body| {
            b.iter(|| {
                key.sign(
                    &SignableRequest::new("POST", black_box(PATH), HOST).with_body(black_box(body)),
                    &date,
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("bare_sha2_hmac", size),
            &body,
            |b, body| {
                b.iter(|| {
                    // The minimum: hash the body, MAC the same string to sign, base64 both.
                    let hash = STANDARD.encode(Sha256::digest(black_box(body)));
                    let mut mac = keyed.clone();
                    mac.update(b"POST\n");
                    mac.update(black_box(PATH).as_bytes());
                    mac.update(b"\n");
                    mac.update(date.as_bytes());
                    mac.update(b";");
                    mac.update(HOST.as_bytes());
                    mac.update(b";");
                    mac.update(hash.as_bytes());
                    (hash, STANDARD.encode(mac.finalize().into_bytes()))
                })
            },
        );
    }
    group.finish();
    c.bench_function("format_date", |b| {
        b.iter(|| format_date(black_box(chrono::Utc::now())))
    });
}

criterion_group!(benches, signing);
criterion_main!(benches);
