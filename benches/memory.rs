//! The client's memory over many operations: 100,000 operations against the emulator (run as a
//! process of its own, so that only the client's memory is measured), with the client's live
//! heap and resident set size after the first 10,000 and after all of them. Fails (exit status
//! 1) when the live heap after all of them exceeds the one after 10,000 by more than 10%.
//!
//! ```sh
//! cargo build --release -p acs-identity-emulator
//! cargo bench --bench memory                       # 100,000 operations, concurrency 16
//! cargo bench --bench memory -- --ops 20000 --concurrency 4 --emulator PATH
//! cargo bench --bench memory -- --concurrency 64 --fault-rate 0.1   # under faults
//! ```
//!
//! The operations, round-robin per worker: issue a token (6 in 10), create a user, create a
//! user with a custom id and create it again (the same user must come back), revoke its
//! tokens, and an operation the service refuses (a user of another resource: 401), so errors
//! and their bodies are part of the mix. The client is at the newest preview (custom ids).
//!
//! With `--fault-rate R` the emulator answers that share of requests with a transient fault
//! (500, 503, 429, a reset before or during the answer: `acs-identity-emulator --fault-rate`);
//! the client retries what is safe to retry. A failure that remains must then be transient
//! (`Error::is_transient`), and counts as expected; any other failure, a wrong answer or a
//! second user for one custom id is unexpected. Writes `target/bench-results/memory.json`.
//! Linux only (`/proc/self/statm`).

use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier, CreateUserOptions,
};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "support/counting.rs"]
mod counting;

use counting::{ALLOCATIONS, LIVE};

struct Args {
    ops: usize,
    first: usize,
    concurrency: usize,
    emulator: Option<PathBuf>,
    fault_rate: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        ops: 100_000,
        first: 10_000,
        concurrency: 16,
        emulator: None,
        fault_rate: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--ops" => a.ops = value().parse().expect("--ops N"),
            "--first" => a.first = value().parse().expect("--first N"),
            "--concurrency" => a.concurrency = value().parse().expect("--concurrency N"),
            "--emulator" => a.emulator = Some(value().into()),
            "--fault-rate" => a.fault_rate = Some(value()),
            // What `cargo bench` passes to every bench binary.
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(a.first < a.ops && a.concurrency > 0);
    a
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The emulator binary, started with `--port 0`; its connection string.
struct EmulatorProcess(Child);

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_emulator(binary: &PathBuf, fault_rate: Option<&str>) -> (EmulatorProcess, String) {
    let mut command = Command::new(binary);
    command.args(["--port", "0"]);
    if let Some(rate) = fault_rate {
        command.args(["--fault-rate", rate]);
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let cs = loop {
        let line = lines
            .next()
            .expect("the emulator exited before printing its connection string")
            .expect("emulator output");
        if let Some(cs) = line.strip_prefix("connection string:") {
            break cs.trim().to_owned();
        }
    };
    // Keep reading, so that the emulator never writes to a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (EmulatorProcess(child), cs)
}

/// Resident set size, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("resident pages");
    pages * 4096
}

#[derive(Clone, Copy, Debug)]
struct Snapshot {
    ops: usize,
    live_bytes: usize,
    rss_bytes: u64,
}

fn snapshot(ops: usize) -> Snapshot {
    Snapshot {
        ops,
        live_bytes: LIVE.load(Ordering::Relaxed),
        rss_bytes: rss(),
    }
}

/// How operations ended, beyond success.
#[derive(Default)]
struct Outcomes {
    /// Transient failures that remained after the client's retries (expected under faults).
    transient: AtomicUsize,
    /// Any other failure, or a wrong answer.
    unexpected: AtomicUsize,
    /// A custom id that gave two users.
    duplicates: AtomicUsize,
}

impl Outcomes {
    /// Counts `result`'s failure, if any: transient or unexpected.
    fn count<T>(&self, result: &Result<T, acs_identity::Error>) {
        if let Err(e) = result {
            if e.is_transient() {
                self.transient.fetch_add(1, Ordering::Relaxed);
            } else {
                eprintln!("unexpected failure: {e}");
                self.unexpected.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Runs operations `from..to` on `concurrency` workers, counting how they ended.
async fn run(
    client: &CommunicationIdentityClient,
    users: &[CommunicationUserIdentifier],
    from: usize,
    to: usize,
    concurrency: usize,
    outcomes: &Arc<Outcomes>,
) {
    let next = Arc::new(AtomicUsize::new(from));
    let foreign = CommunicationUserIdentifier::new(
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081",
    );
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (client, next, outcomes) = (client.clone(), next.clone(), outcomes.clone());
        let (user, foreign) = (users[w % users.len()].clone(), foreign.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= to {
                    break;
                }
                match i % 10 {
                    0 => outcomes.count(&client.create_user().await),
                    1 => outcomes.count(&client.revoke_tokens(&user).await),
                    2 => match client.get_token(&foreign, &[Scope::Chat], None).await {
                        Err(e) if e.is_unauthorized() => {}
                        Ok(_) => {
                            outcomes.unexpected.fetch_add(1, Ordering::Relaxed);
                        }
                        failed => outcomes.count(&failed),
                    },
                    3 => {
                        let custom = || CreateUserOptions::new().custom_id(format!("user-{i}"));
                        let first = client.create_user_with(custom()).await;
                        let again = client.create_user_with(custom()).await;
                        if let (Ok(a), Ok(b)) = (&first, &again)
                            && a.user().id() != b.user().id()
                        {
                            outcomes.duplicates.fetch_add(1, Ordering::Relaxed);
                        }
                        outcomes.count(&first);
                        outcomes.count(&again);
                    }
                    _ => outcomes.count(
                        &client
                            .get_token(&user, &[Scope::Chat, Scope::Voip], None)
                            .await,
                    ),
                }
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.expect("a worker panicked");
    }
}

fn main() {
    if !cfg!(target_os = "linux") {
        eprintln!("the memory bench reads /proc/self/statm: Linux only");
        return;
    }
    let args = args();
    let binary = args.emulator.clone().unwrap_or_else(|| {
        let path = target_dir().join("release").join("acs-identity-emulator");
        assert!(
            path.exists(),
            "{} not found: build it with `cargo build --release -p acs-identity-emulator` or \
             pass --emulator PATH",
            path.display()
        );
        path
    });
    let (emulator, cs) = start_emulator(&binary, args.fault_rate.as_deref());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let outcomes = Arc::new(Outcomes::default());
    let (first, last, allocations) = runtime.block_on(async {
        let client = CommunicationIdentityClient::from_connection_string(
            &cs,
            Some(ClientOptions::latest_preview()),
        )
        .unwrap();
        let mut users = Vec::new();
        while users.len() < args.concurrency {
            // Under faults, a creation may fail: it is not retried (it would make two users).
            if let Ok(user) = client.create_user().await {
                users.push(user);
            }
        }
        run(&client, &users, 0, args.first, args.concurrency, &outcomes).await;
        let first = snapshot(args.first);
        let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
        run(
            &client,
            &users,
            args.first,
            args.ops,
            args.concurrency,
            &outcomes,
        )
        .await;
        let last = snapshot(args.ops);
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
        (first, last, allocations)
    });
    let transient = outcomes.transient.load(Ordering::Relaxed);
    let unexpected = outcomes.unexpected.load(Ordering::Relaxed);
    let duplicates = outcomes.duplicates.load(Ordering::Relaxed);
    let failures = unexpected
        + duplicates
        + if args.fault_rate.is_some() {
            0
        } else {
            transient
        };
    let growth = last.live_bytes as f64 / first.live_bytes as f64 - 1.0;
    let rss_growth = last.rss_bytes as f64 / first.rss_bytes as f64 - 1.0;
    let per_op = allocations as f64 / (args.ops - args.first) as f64;
    for s in [first, last] {
        println!(
            "after {:>7} operations: live heap {:>9} bytes, RSS {:>6.1} MiB",
            s.ops,
            s.live_bytes,
            s.rss_bytes as f64 / 1048576.0
        );
    }
    println!(
        "growth from {} to {} operations: live heap {:+.2}%, RSS {:+.2}%; {per_op:.0} allocations \
         per operation; transient failures after retries: {transient}; unexpected failures: \
         {unexpected}; custom ids with two users: {duplicates}",
        first.ops,
        last.ops,
        growth * 100.0,
        rss_growth * 100.0
    );
    let out = target_dir().join("bench-results");
    std::fs::create_dir_all(&out).unwrap();
    let json = format!(
        "{{\"ops\":{},\"first\":{},\"concurrency\":{},\"fault_rate\":{},\"live_bytes_first\":{},\
         \"live_bytes_last\":{},\"rss_bytes_first\":{},\"rss_bytes_last\":{},\
         \"live_growth\":{growth:.4},\"rss_growth\":{rss_growth:.4},\"allocations_per_op\":{per_op:.1},\
         \"transient\":{transient},\"unexpected\":{unexpected},\"duplicates\":{duplicates}}}\n",
        args.ops,
        args.first,
        args.concurrency,
        args.fault_rate.as_deref().unwrap_or("0"),
        first.live_bytes,
        last.live_bytes,
        first.rss_bytes,
        last.rss_bytes
    );
    std::fs::write(out.join("memory.json"), json).unwrap();
    if failures > 0 || growth > 0.10 {
        eprintln!(
            "FAILED: the live heap grew by more than 10%, operations failed unexpectedly, or a \
             custom id gave two users"
        );
        // `exit` runs no destructor: stop the emulator process first.
        drop(emulator);
        std::process::exit(1);
    }
}
