//! The emulator's memory under load: what each user, token and deleted user costs, and a run of
//! 1,000,000 operations whose growth must be what those costs predict (nothing else grows).
//!
//! ```sh
//! cargo bench --bench emulator_load                 # 1,000,000 operations
//! cargo bench --bench emulator_load -- --ops 200000
//! ```
//!
//! The emulator runs in this process, over loopback http, driven by the SDK's client with 16
//! concurrent workers; a counting allocator gives the live heap (the client's own memory is flat:
//! the SDK's `memory` bench). First the costs: 10,000 users created with a token each, then
//! 10,000 more tokens, then 10,000 users deleted. Then the run, on a population of 1,000
//! users: a token issued (2 in 4), tokens revoked (1 in 4), a user deleted and another
//! created (1 in 4). Its growth must not exceed by more than 10% what the costs predict (tokens
//! issued x cost of a token + users replaced x cost of a replacement); hash tables grow by
//! doubling, so the costs measured on 10,000 are upper bounds and the run may grow less. Last,
//! 100,000 revocations, which keep nothing: the heap must not grow by more than 64 KiB.
//! Writes `target/bench-results/emulator-load.json`.

use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier,
};
use acs_identity_emulator::Emulator;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[path = "support/counting.rs"]
mod counting;

use counting::live;

const WORKERS: usize = 16;
const SAMPLE: usize = 10_000;
const POPULATION: usize = 1_000;

/// Runs `n` jobs on `WORKERS` workers; job `i` gets `i`.
async fn run<F, Fut>(n: usize, job: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (job, next) = (job.clone(), next.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                job(i).await;
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.expect("a worker panicked");
    }
}

fn main() {
    let mut ops: usize = 1_000_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--ops" => ops = args.next().and_then(|v| v.parse().ok()).expect("--ops N"),
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let emulator = Emulator::start().await.unwrap();
        let client = CommunicationIdentityClient::from_connection_string(
            &emulator.connection_string(),
            Some(ClientOptions::default()),
        )
        .unwrap();
        // Warm up: connections, the request log at its bound (10,000 requests kept).
        {
            let client = client.clone();
            run(12_000, move |_| {
                let client = client.clone();
                async move {
                    let _ = client.revoke_tokens(&CommunicationUserIdentifier::new("8:acs:x_y")).await;
                }
            })
            .await;
        }

        // The costs.
        let users = Arc::new(Mutex::new(Vec::new()));
        let before = live();
        {
            let (client, users) = (client.clone(), users.clone());
            run(SAMPLE, move |_| {
                let (client, users) = (client.clone(), users.clone());
                async move {
                    let (user, _) = client.create_user_and_token(&[Scope::Chat], None).await.unwrap();
                    users.lock().unwrap().push(user);
                }
            })
            .await;
        }
        let per_user = (live() - before) as f64 / SAMPLE as f64;
        let sample: Vec<CommunicationUserIdentifier> = users.lock().unwrap().clone();
        let sample = Arc::new(sample);
        let before = live();
        {
            let (client, sample) = (client.clone(), sample.clone());
            run(SAMPLE, move |i| {
                let (client, sample) = (client.clone(), sample.clone());
                async move {
                    client.get_token(&sample[i], &[Scope::Chat], None).await.unwrap();
                }
            })
            .await;
        }
        let per_token = (live() - before) as f64 / SAMPLE as f64;
        let before = live();
        {
            let (client, sample) = (client.clone(), sample.clone());
            run(SAMPLE, move |i| {
                let (client, sample) = (client.clone(), sample.clone());
                async move {
                    client.delete_user(&sample[i]).await.unwrap();
                }
            })
            .await;
        }
        // A deleted user's id is kept (its tokens report `UserDeleted`); its live entry and
        // its token are not deleted with it (tokens are kept to report on them).
        let per_deleted = (live() as f64 - before as f64) / SAMPLE as f64;
        println!(
            "cost: a user with a token {per_user:.0} bytes; another token {per_token:.0} bytes; \
             deleting a user {per_deleted:+.0} bytes"
        );

        // The run.
        let population: Vec<Mutex<CommunicationUserIdentifier>> = {
            let mut v = Vec::new();
            for _ in 0..POPULATION {
                v.push(Mutex::new(client.create_user().await.unwrap()));
            }
            v
        };
        let population = Arc::new(population);
        let issued = Arc::new(AtomicUsize::new(0));
        let deleted = Arc::new(AtomicUsize::new(0));
        let start_heap = live();
        let started = Instant::now();
        {
            let (client, population, issued, deleted) =
                (client.clone(), population.clone(), issued.clone(), deleted.clone());
            run(ops, move |i| {
                let (client, population, issued, deleted) =
                    (client.clone(), population.clone(), issued.clone(), deleted.clone());
                async move {
                    let slot = &population[i % POPULATION];
                    let user = slot.lock().unwrap().clone();
                    match i % 4 {
                        0 | 1 => {
                            // The user may have just been replaced by another worker.
                            if client.get_token(&user, &[Scope::Chat], None).await.is_ok() {
                                issued.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        2 => {
                            let _ = client.revoke_tokens(&user).await;
                        }
                        _ => {
                            client.delete_user(&user).await.unwrap();
                            deleted.fetch_add(1, Ordering::Relaxed);
                            let fresh = client.create_user().await.unwrap();
                            *slot.lock().unwrap() = fresh;
                        }
                    }
                }
            })
            .await;
        }
        let seconds = started.elapsed().as_secs_f64();
        let end_heap = live();
        let (issued, deleted) = (issued.load(Ordering::Relaxed), deleted.load(Ordering::Relaxed));
        let predicted = issued as f64 * per_token + deleted as f64 * (per_deleted + per_user - per_token);
        let grown = end_heap as f64 - start_heap as f64;
        let ratio = grown / predicted;
        println!(
            "run: {ops} operations in {seconds:.0} s ({:.0} per second); {issued} tokens issued, \
             {deleted} users replaced; live heap {start_heap} -> {end_heap} bytes: grew {grown:.0}, \
             predicted {predicted:.0} (ratio {ratio:.3}); {} users",
            ops as f64 / seconds,
            emulator.user_count()
        );

        // Operations that keep nothing: the heap stays where it is.
        let before_revokes = live();
        {
            let (client, population) = (client.clone(), population.clone());
            run(100_000, move |i| {
                let (client, population) = (client.clone(), population.clone());
                async move {
                    let user = population[i % POPULATION].lock().unwrap().clone();
                    client.revoke_tokens(&user).await.unwrap();
                }
            })
            .await;
        }
        let revokes_grew = live() as f64 - before_revokes as f64;
        println!("100000 revocations: live heap grew {revokes_grew:+.0} bytes");
        let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-results");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(
            out.join("emulator-load.json"),
            format!(
                "{{\"ops\":{ops},\"seconds\":{seconds:.1},\"per_user\":{per_user:.0},\"per_token\":{per_token:.0},\
                 \"per_deleted\":{per_deleted:.0},\"issued\":{issued},\"deleted\":{deleted},\
                 \"start_heap\":{start_heap},\"end_heap\":{end_heap},\"predicted_growth\":{predicted:.0},\
                 \"ratio\":{ratio:.3},\"revokes_grew\":{revokes_grew:.0}}}\n"
            ),
        )
        .unwrap();
        if ratio > 1.1 || revokes_grew > 64.0 * 1024.0 {
            eprintln!(
                "FAILED: the heap grew {ratio:.3} times what the costs predict, or \
                 {revokes_grew:.0} bytes over operations that keep nothing"
            );
            std::process::exit(1);
        }
    });
}
