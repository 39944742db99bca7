//! The client's memory over many operations: 100,000 operations against the emulator (run as a
//! process of its own, so that only the client's memory is measured), with the client's live
//! heap and resident set size after the first 10,000 and after all of them. Fails (exit status
//! 1) when the live heap after all of them exceeds the one after 10,000 by more than 10%.
//!
//! ```sh
//! cargo build --release -p acs-identity-emulator
//! cargo bench --bench memory                       # 100,000 operations, concurrency 16
//! cargo bench --bench memory -- --ops 20000 --concurrency 4 --emulator PATH
//! ```
//!
//! The operations, round-robin per worker: issue a token (7 in 10), create a user, revoke its
//! tokens, and an operation the service refuses (a user of another resource: 401, and a user that
//! does not exist: 404), so errors and their bodies are part of the mix. Writes
//! `target/bench-results/memory.json`. Linux only (`/proc/self/statm`).

use acs_identity::{
    ClientOptions, CommunicationIdentityClient, CommunicationTokenScope as Scope,
    CommunicationUserIdentifier,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The system allocator, counting the bytes allocated and not yet freed.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

#[allow(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; this one only counts"
)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

struct Args {
    ops: usize,
    first: usize,
    concurrency: usize,
    emulator: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        ops: 100_000,
        first: 10_000,
        concurrency: 16,
        emulator: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--ops" => a.ops = value().parse().expect("--ops N"),
            "--first" => a.first = value().parse().expect("--first N"),
            "--concurrency" => a.concurrency = value().parse().expect("--concurrency N"),
            "--emulator" => a.emulator = Some(value().into()),
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

fn start_emulator(binary: &PathBuf) -> (EmulatorProcess, String) {
    let mut child = Command::new(binary)
        .args(["--port", "0"])
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

/// Runs operations `from..to` on `concurrency` workers; returns how many failed unexpectedly.
async fn run(
    client: &CommunicationIdentityClient,
    users: &[CommunicationUserIdentifier],
    from: usize,
    to: usize,
    concurrency: usize,
) -> usize {
    let next = Arc::new(AtomicUsize::new(from));
    let failures = Arc::new(AtomicUsize::new(0));
    let foreign = CommunicationUserIdentifier::new(
        "8:acs:2dee53b4-368b-45b4-ab52-8493fb117652_00000005-14a2-493b-8a72-5a3a0d000081",
    );
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..concurrency {
        let (client, next, failures) = (client.clone(), next.clone(), failures.clone());
        let (user, foreign) = (users[w % users.len()].clone(), foreign.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= to {
                    break;
                }
                let ok = match i % 10 {
                    0 => client.create_user().await.is_ok(),
                    1 => client.revoke_tokens(&user).await.is_ok(),
                    2 => client
                        .get_token(&foreign, &[Scope::Chat], None)
                        .await
                        .is_err_and(|e| e.is_unauthorized()),
                    _ => client
                        .get_token(&user, &[Scope::Chat, Scope::Voip], None)
                        .await
                        .is_ok(),
                };
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    failures.load(Ordering::Relaxed)
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
    let (_emulator, cs) = start_emulator(&binary);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (first, last, failures, allocations) = runtime.block_on(async {
        let client = CommunicationIdentityClient::from_connection_string(
            &cs,
            Some(ClientOptions::default()),
        )
        .unwrap();
        let mut users = Vec::new();
        for _ in 0..args.concurrency {
            users.push(client.create_user().await.unwrap());
        }
        let mut failures = run(&client, &users, 0, args.first, args.concurrency).await;
        let first = snapshot(args.first);
        let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
        failures += run(&client, &users, args.first, args.ops, args.concurrency).await;
        let last = snapshot(args.ops);
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
        (first, last, failures, allocations)
    });
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
         per operation; unexpected failures: {failures}",
        first.ops,
        last.ops,
        growth * 100.0,
        rss_growth * 100.0
    );
    let out = target_dir().join("bench-results");
    std::fs::create_dir_all(&out).unwrap();
    let json = format!(
        "{{\"ops\":{},\"first\":{},\"concurrency\":{},\"live_bytes_first\":{},\"live_bytes_last\":{},\
         \"rss_bytes_first\":{},\"rss_bytes_last\":{},\"live_growth\":{growth:.4},\
         \"rss_growth\":{rss_growth:.4},\"allocations_per_op\":{per_op:.1},\"failures\":{failures}}}\n",
        args.ops,
        args.first,
        args.concurrency,
        first.live_bytes,
        last.live_bytes,
        first.rss_bytes,
        last.rss_bytes
    );
    std::fs::write(out.join("memory.json"), json).unwrap();
    if failures > 0 || growth > 0.10 {
        eprintln!("FAILED: the live heap grew by more than 10%, or operations failed");
        std::process::exit(1);
    }
}
