//! Throughput and client CPU of the SDK against the emulator (run in its own process), next to
//! a baseline that sends the same pre-signed requests with a bare `reqwest::Client`, in the
//! same run (see BENCHMARKS.md):
//!
//! - `get_token` and `create_user_and_token` at concurrency 1, 16 and 64: requests per second
//!   and client CPU time per request (this process's user + system time, all threads, from
//!   `getrusage(RUSAGE_SELF)`), SDK / baseline ratios. The SDK's and the baseline's requests
//!   alternate in slices, so that both see the same background load;
//! - the floor: a blocking `std::net::TcpStream` (keep-alive) sending the same pre-signed
//!   `get_token` request bytes one after the other;
//! - connection pooling: a fresh client, a fresh clone of it per request, at concurrency 64:
//!   the connections to the emulator left open (next to a bare `reqwest::Client` used alike);
//! - peak RSS (`VmHWM`) of `get_token` at concurrency 64, SDK and baseline, each in a child
//!   process of this binary;
//! - the Python SDK (`benches/python/get_token_bench.py`) when `target/py-bench-venv` exists
//!   (`benches/python/bench_python.sh` creates it).
//!
//! ```sh
//! cargo build --release -p acs-identity-emulator
//! cargo bench --bench throughput -- --requests 4000 --runs 5
//! ```
//!
//! Options: `--requests N` (per configuration, default 4000), `--runs R` (default 3; medians
//! are reported), `--slices N` (default 8), `--concurrency 1,16,64`, `--ops
//! get_token,create_user_and_token`, `--python-requests N` (default 1000), `--no-python`,
//! `--no-memory`, `--only sdk|baseline` (one client only, e.g. under a profiler), `--emulator
//! PATH` (the `acs-identity-emulator` binary), `--out PATH` (default
//! `target/bench-results/throughput.json`). Linux only (`/proc`, `getrusage`).

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the throughput bench reads /proc and getrusage: Linux only");
}

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(target_os = "linux")]
mod linux {
    use acs_identity::AccessKey;
    use acs_identity::signing::{SignableRequest, format_date, host_header};
    use acs_identity::{
        CommunicationIdentityClient, CommunicationTokenScope, CommunicationUserIdentifier,
    };
    use acs_identity_emulator::{Emulator, EmulatorOptions};
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};
    use std::collections::HashSet;
    use std::future::Future;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    // ---------------------------------------------------------------------------------------
    // Process CPU time and memory.

    #[repr(C)]
    struct Timeval {
        sec: std::ffi::c_long,
        usec: std::ffi::c_long,
    }

    /// `struct rusage` of glibc and musl on Linux.
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        /// maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd,
        /// msgrcv, nsignals, nvcsw, nivcsw.
        rest: [std::ffi::c_long; 14],
    }

    #[allow(unsafe_code, reason = "the process's own CPU time, from the C library")]
    unsafe extern "C" {
        fn getrusage(who: std::ffi::c_int, usage: *mut Rusage) -> std::ffi::c_int;
    }

    const RUSAGE_SELF: std::ffi::c_int = 0;

    /// User and system CPU time of this process (all threads), in microseconds, and its
    /// context switches (voluntary + involuntary).
    #[derive(Clone, Copy)]
    struct Cpu {
        user_us: f64,
        sys_us: f64,
        switches: f64,
    }

    #[allow(unsafe_code, reason = "the process's own CPU time, from the C library")]
    fn cpu_now() -> Cpu {
        let mut usage = Rusage {
            utime: Timeval { sec: 0, usec: 0 },
            stime: Timeval { sec: 0, usec: 0 },
            rest: [0; 14],
        };
        // SAFETY: `usage` is a valid, writable `struct rusage`.
        let rc = unsafe { getrusage(RUSAGE_SELF, &mut usage) };
        assert_eq!(rc, 0, "getrusage failed");
        let us = |t: &Timeval| t.sec as f64 * 1e6 + t.usec as f64;
        Cpu {
            user_us: us(&usage.utime),
            sys_us: us(&usage.stime),
            switches: (usage.rest[12] + usage.rest[13]) as f64,
        }
    }

    /// A field of `/proc/<pid>/status` in kB (`VmHWM`, `VmRSS`).
    fn status_kb(pid: &str, field: &str) -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    }

    /// utime + stime of another process, in microseconds (clock ticks of 10 ms).
    fn process_cpu_us(pid: u32) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = after.split_whitespace().collect();
        // Fields 14 and 15 of stat(5): the 12th and 13th after the state.
        let ticks: f64 =
            fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks * 1e6 / 100.0)
    }

    /// TCP connections opened by this network namespace so far (`Tcp: ActiveOpens`).
    fn active_opens() -> Option<u64> {
        let text = std::fs::read_to_string("/proc/net/snmp").ok()?;
        let mut tcp = text.lines().filter(|l| l.starts_with("Tcp:"));
        let names: Vec<&str> = tcp.next()?.split_whitespace().collect();
        let values: Vec<&str> = tcp.next()?.split_whitespace().collect();
        let i = names.iter().position(|n| *n == "ActiveOpens")?;
        values.get(i)?.parse().ok()
    }

    /// Established TCP connections of this process to `port` on the loopback.
    fn own_connections_to(port: u16) -> usize {
        let mut inodes = HashSet::new();
        if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
            for entry in dir.flatten() {
                if let Ok(target) = std::fs::read_link(entry.path()) {
                    let t = target.to_string_lossy();
                    if let Some(inode) =
                        t.strip_prefix("socket:[").and_then(|s| s.strip_suffix(']'))
                    {
                        inodes.insert(inode.to_owned());
                    }
                }
            }
        }
        let mut count = 0;
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let Ok(text) = std::fs::read_to_string(table) else {
                continue;
            };
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split_whitespace().collect();
                if f.len() < 10 || f[3] != "01" {
                    continue;
                }
                let remote_port = f[2]
                    .rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok());
                if remote_port == Some(port) && inodes.contains(f[9]) {
                    count += 1;
                }
            }
        }
        count
    }

    // ---------------------------------------------------------------------------------------
    // Arguments.

    struct Args {
        requests: usize,
        runs: usize,
        concurrency: Vec<usize>,
        python_requests: usize,
        python: bool,
        memory: bool,
        emulator: Option<PathBuf>,
        out: Option<PathBuf>,
        child: Option<String>,
        /// Only one client kind (`sdk`, `baseline`), e.g. for a profiler: no ratios, no floor,
        /// pool, memory or Python.
        only: Option<Kind>,
        ops: Vec<Op>,
        /// Slices per configuration: the SDK's and the baseline's requests alternate.
        slices: usize,
    }

    fn parse_args() -> Args {
        let mut args = Args {
            requests: 4000,
            runs: 3,
            concurrency: vec![1, 16, 64],
            python_requests: 1000,
            python: true,
            memory: true,
            emulator: None,
            out: None,
            child: None,
            only: None,
            ops: vec![Op::GetToken, Op::CreateUserAndToken],
            slices: 8,
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let mut value =
                |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
            match a.as_str() {
                // `cargo bench` passes `--bench`.
                "--bench" => {}
                "--requests" => args.requests = value("--requests").parse().expect("--requests N"),
                "--runs" => args.runs = value("--runs").parse().expect("--runs R"),
                "--concurrency" => {
                    args.concurrency = value("--concurrency")
                        .split(',')
                        .map(|c| c.trim().parse().expect("--concurrency 1,16,64"))
                        .collect()
                }
                "--python-requests" => {
                    args.python_requests = value("--python-requests")
                        .parse()
                        .expect("--python-requests N")
                }
                "--slices" => args.slices = value("--slices").parse().expect("--slices N"),
                "--no-python" => args.python = false,
                "--no-memory" => args.memory = false,
                "--emulator" => args.emulator = Some(value("--emulator").into()),
                "--out" => args.out = Some(value("--out").into()),
                "--child" => args.child = Some(value("--child")),
                "--only" => {
                    args.only = Some(match value("--only").as_str() {
                        "sdk" => Kind::Sdk,
                        "baseline" => Kind::Baseline,
                        other => panic!("--only sdk|baseline, not {other:?}"),
                    })
                }
                "--ops" => {
                    args.ops = value("--ops")
                        .split(',')
                        .map(|o| match o.trim() {
                            "get_token" => Op::GetToken,
                            "create_user_and_token" => Op::CreateUserAndToken,
                            other => panic!("--ops get_token,create_user_and_token, not {other:?}"),
                        })
                        .collect()
                }
                other => panic!("unknown argument {other:?}; see the top of benches/throughput.rs"),
            }
        }
        assert!(args.requests > 0 && args.runs > 0 && !args.concurrency.is_empty());
        args.slices = args.slices.clamp(1, args.requests);
        args
    }

    /// `target/` of this build: the bench runs as `target/release/deps/throughput-<hash>`.
    fn target_dir() -> PathBuf {
        let exe = std::env::current_exe().expect("current_exe");
        exe.ancestors()
            .nth(3)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
    }

    // ---------------------------------------------------------------------------------------
    // The emulator, in its own process.

    struct EmulatorProcess {
        child: Child,
        endpoint: String,
        connection_string: String,
        access_key_base64: String,
        resource_id: String,
        port: u16,
    }

    impl EmulatorProcess {
        /// Panics when the emulator process has exited.
        fn check_alive(&self) {
            let pid = self.child.id();
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let zombie = state
                .rsplit(')')
                .next()
                .is_some_and(|s| s.trim_start().starts_with('Z'));
            if state.is_empty() || zombie {
                panic!("the emulator (pid {pid}) has exited");
            }
        }
    }

    impl Drop for EmulatorProcess {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn emulator_binary(args: &Args) -> PathBuf {
        if let Some(path) = &args.emulator {
            return path.clone();
        }
        // Set by cargo for benches when the binary's required features are enabled (the
        // dev-dependency on this crate enables `emulator`).
        if let Some(path) = option_env!("CARGO_BIN_EXE_acs-identity-emulator")
            && Path::new(path).exists()
        {
            return path.into();
        }
        let path = target_dir().join("release").join("acs-identity-emulator");
        if !path.exists() {
            panic!(
                "{} not found: build it with `cargo build --release --features emulator --bin \
                 acs-identity-emulator` or pass --emulator PATH",
                path.display()
            );
        }
        path
    }

    fn spawn_emulator(binary: &Path) -> EmulatorProcess {
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let (mut endpoint, mut cs, mut resource) = (None, None, None);
        while endpoint.is_none() || cs.is_none() || resource.is_none() {
            let line = lines
                .next()
                .expect("the emulator exited before printing its connection string")
                .expect("emulator stdout");
            if let Some(v) = line.strip_prefix("endpoint:") {
                endpoint = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("connection string:") {
                cs = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("resource id:") {
                resource = Some(v.trim().to_owned());
            }
        }
        // Keep reading whatever else the emulator prints, so that it never writes to a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let (endpoint, connection_string) = (endpoint.unwrap(), cs.unwrap());
        let access_key_base64 = connection_string
            .split_once(";accesskey=")
            .expect("accesskey in the connection string")
            .1
            .trim_end_matches(';')
            .to_owned();
        let port = endpoint.rsplit(':').next().unwrap().parse().expect("port");
        EmulatorProcess {
            child,
            endpoint,
            connection_string,
            access_key_base64,
            resource_id: resource.unwrap(),
            port,
        }
    }

    // ---------------------------------------------------------------------------------------
    // The requests the SDK sends, recorded once, and their pre-signed copies.

    #[derive(Clone, Serialize, Deserialize)]
    struct Template {
        method: String,
        path_and_query: String,
        /// Headers as the SDK sends them, without `host`, `content-length` and the three
        /// signature headers.
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    const SIGNATURE_HEADERS: [&str; 5] = [
        "host",
        "content-length",
        "x-ms-date",
        "x-ms-content-sha256",
        "authorization",
    ];

    /// Records the exact `get_token` and `create_user_and_token` requests of the SDK with an
    /// in-process emulator that has the same access key and resource id as the external one.
    async fn record_templates(
        emu: &EmulatorProcess,
        user: &CommunicationUserIdentifier,
    ) -> (Template, Template) {
        let recorder = Emulator::start_with(EmulatorOptions {
            access_key: Some(emu.access_key_base64.clone()),
            resource_id: Some(emu.resource_id.clone()),
            ..EmulatorOptions::default()
        })
        .await
        .expect("in-process emulator");
        let client = CommunicationIdentityClient::from_connection_string(
            &recorder.connection_string(),
            None,
        )
        .expect("client");
        // The user lives in the external emulator only: 404 here, recorded all the same.
        let _ = client
            .get_token(user, &[CommunicationTokenScope::Chat], None)
            .await;
        client
            .create_user_and_token(&[CommunicationTokenScope::Chat], None)
            .await
            .expect("create_user_and_token against the recorder");
        let recorded = recorder.requests();
        assert_eq!(recorded.len(), 2, "one request per operation");
        let to_template = |r: &acs_identity_emulator::RecordedRequest| Template {
            method: r.method.clone(),
            path_and_query: r.path_and_query.clone(),
            headers: r
                .headers
                .iter()
                .filter(|(n, _)| !SIGNATURE_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
                .cloned()
                .collect(),
            body: r.body.clone(),
        };
        (to_template(&recorded[0]), to_template(&recorded[1]))
    }

    /// A request signed once, ready to send many times.
    struct Prepared {
        method: reqwest::Method,
        url: reqwest::Url,
        headers: HeaderMap,
        body: Vec<u8>,
        /// The whole HTTP/1.1 request, for the blocking floor.
        wire: Vec<u8>,
    }

    fn prepare(t: &Template, endpoint: &str, key: &AccessKey) -> Prepared {
        let url = reqwest::Url::parse(&format!("{endpoint}{}", t.path_and_query)).expect("url");
        let host = host_header(url.scheme(), url.host_str().unwrap(), url.port());
        let date = format_date(chrono::Utc::now());
        let signed = key.sign(
            &SignableRequest::new(&t.method, &t.path_and_query, &host).with_body(&t.body),
            &date,
        );
        let mut all: Vec<(String, String)> = t.headers.clone();
        all.push(("x-ms-date".into(), signed.date));
        all.push(("x-ms-content-sha256".into(), signed.content_hash));
        all.push(("authorization".into(), signed.authorization));
        let mut headers = HeaderMap::new();
        for (n, v) in &all {
            headers.append(
                HeaderName::from_bytes(n.as_bytes()).expect("header name"),
                HeaderValue::from_str(v).expect("header value"),
            );
        }
        let mut wire = format!(
            "{} {} HTTP/1.1\r\nhost: {host}\r\n",
            t.method, t.path_and_query
        );
        for (n, v) in &all {
            wire.push_str(&format!("{n}: {v}\r\n"));
        }
        wire.push_str(&format!("content-length: {}\r\n\r\n", t.body.len()));
        let mut wire = wire.into_bytes();
        wire.extend_from_slice(&t.body);
        Prepared {
            method: t.method.parse().expect("method"),
            url,
            headers,
            body: t.body.clone(),
            wire,
        }
    }

    /// One SDK `get_token` (scope `chat`, default expiry) on its own clone of the client, as
    /// the bench's callers make it: whether it succeeded.
    async fn sdk_get_token(
        client: CommunicationIdentityClient,
        user: Arc<CommunicationUserIdentifier>,
    ) -> bool {
        client
            .get_token(&user, &[CommunicationTokenScope::Chat], None)
            .await
            .is_ok()
    }

    async fn send_prepared(client: &reqwest::Client, p: &Prepared) -> bool {
        let mut request = reqwest::Request::new(p.method.clone(), p.url.clone());
        *request.headers_mut() = p.headers.clone();
        *request.body_mut() = Some(p.body.clone().into());
        match client.execute(request).await {
            Ok(response) => {
                let ok = response.status().is_success();
                response.bytes().await.is_ok() && ok
            }
            Err(_) => false,
        }
    }

    // ---------------------------------------------------------------------------------------
    // Load generation and measurement.

    const MAX_FAILURES: usize = 50;

    /// Runs `total` calls of `op` from `concurrency` tasks; returns the number that failed.
    async fn drive<F, Fut>(concurrency: usize, total: usize, op: F) -> usize
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        let op = Arc::new(op);
        let next = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..concurrency {
            let (op, next, failures) = (op.clone(), next.clone(), failures.clone());
            tasks.spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    if !op().await {
                        // Many failures (e.g. the emulator is gone, and every call waits for
                        // its retries): stop this configuration rather than hang.
                        if failures.fetch_add(1, Ordering::Relaxed) >= MAX_FAILURES {
                            next.store(total, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
        while let Some(r) = tasks.join_next().await {
            r.expect("load task panicked");
        }
        failures.load(Ordering::Relaxed)
    }

    #[derive(Clone, Copy, Serialize)]
    struct Sample {
        requests: usize,
        failures: usize,
        wall_s: f64,
        rps: f64,
        /// Client CPU (user + system) per request, µs.
        cpu_us: f64,
        user_us: f64,
        sys_us: f64,
        /// Context switches of this process per request.
        switches: f64,
        /// TCP connections opened during the measurement (whole network namespace).
        connections_opened: Option<u64>,
        /// CPU of the emulator process per request, µs (10 ms resolution).
        emulator_cpu_us: Option<f64>,
    }

    impl Sample {
        /// The totals of consecutive slices of one configuration, as one sample.
        fn combine(parts: &[Sample]) -> Sample {
            let n: usize = parts.iter().map(|p| p.requests).sum();
            let total = |f: fn(&Sample) -> f64| -> f64 {
                parts.iter().map(|p| f(p) * p.requests as f64).sum::<f64>() / n as f64
            };
            let wall: f64 = parts.iter().map(|p| p.wall_s).sum();
            let user = total(|p| p.user_us);
            let sys = total(|p| p.sys_us);
            Sample {
                requests: n,
                failures: parts.iter().map(|p| p.failures).sum(),
                wall_s: wall,
                rps: n as f64 / wall,
                cpu_us: user + sys,
                user_us: user,
                sys_us: sys,
                switches: total(|p| p.switches),
                connections_opened: parts.iter().map(|p| p.connections_opened).sum(),
                emulator_cpu_us: parts
                    .iter()
                    .map(|p| p.emulator_cpu_us.map(|e| e * p.requests as f64))
                    .sum::<Option<f64>>()
                    .map(|e| e / n as f64),
            }
        }
    }

    fn measure(requests: usize, emulator_pid: Option<u32>, f: impl FnOnce() -> usize) -> Sample {
        let opens0 = active_opens();
        let emu0 = emulator_pid.and_then(process_cpu_us);
        let c0 = cpu_now();
        let t0 = Instant::now();
        let failures = f();
        let wall = t0.elapsed().as_secs_f64();
        let c1 = cpu_now();
        let emu1 = emulator_pid.and_then(process_cpu_us);
        let opens1 = active_opens();
        let n = requests as f64;
        let user = (c1.user_us - c0.user_us) / n;
        let sys = (c1.sys_us - c0.sys_us) / n;
        Sample {
            requests,
            failures,
            wall_s: wall,
            rps: n / wall,
            cpu_us: user + sys,
            user_us: user,
            sys_us: sys,
            switches: (c1.switches - c0.switches) / n,
            connections_opened: opens0.zip(opens1).map(|(a, b)| b.saturating_sub(a)),
            emulator_cpu_us: emu0.zip(emu1).map(|(a, b)| (b - a) / n),
        }
    }

    #[derive(Clone, Copy, PartialEq, Eq, Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Op {
        GetToken,
        CreateUserAndToken,
    }

    impl Op {
        fn name(self) -> &'static str {
            match self {
                Op::GetToken => "get_token",
                Op::CreateUserAndToken => "create_user_and_token",
            }
        }
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Kind {
        Sdk,
        Baseline,
    }

    struct Setup {
        sdk: CommunicationIdentityClient,
        bare: reqwest::Client,
        user: CommunicationUserIdentifier,
        get_token: Template,
        create: Template,
        endpoint: String,
        key: AccessKey,
    }

    impl Setup {
        fn template(&self, op: Op) -> &Template {
            match op {
                Op::GetToken => &self.get_token,
                Op::CreateUserAndToken => &self.create,
            }
        }

        /// Runs `total` requests of `op` by `kind` at `concurrency`; returns the failures. The
        /// baseline sends `prepared` (signed once per configuration, outside the measurement).
        async fn load(
            &self,
            kind: Kind,
            op: Op,
            concurrency: usize,
            total: usize,
            prepared: &Arc<Prepared>,
        ) -> usize {
            match kind {
                Kind::Sdk => {
                    let client = self.sdk.clone();
                    // Shared, so that the harness allocates nothing per request.
                    let user = Arc::new(self.user.clone());
                    match op {
                        Op::GetToken => {
                            drive(concurrency, total, move || {
                                sdk_get_token(client.clone(), user.clone())
                            })
                            .await
                        }
                        Op::CreateUserAndToken => {
                            drive(concurrency, total, move || {
                                let client = client.clone();
                                async move {
                                    client
                                        .create_user_and_token(
                                            &[CommunicationTokenScope::Chat],
                                            None,
                                        )
                                        .await
                                        .is_ok()
                                }
                            })
                            .await
                        }
                    }
                }
                Kind::Baseline => {
                    let prepared = prepared.clone();
                    let client = self.bare.clone();
                    drive(concurrency, total, move || {
                        let (client, prepared) = (client.clone(), prepared.clone());
                        async move { send_prepared(&client, &prepared).await }
                    })
                    .await
                }
            }
        }
    }

    /// The floor: the pre-signed `get_token` request over one blocking keep-alive connection,
    /// `total` times in a row.
    fn floor(addr: &str, wire: &[u8], total: usize) -> usize {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let mut buf = vec![0u8; 64 * 1024];
        let mut failures = 0;
        for _ in 0..total {
            stream.write_all(wire).expect("write");
            // Read the head, then the body by its Content-Length.
            let mut filled = 0;
            let head_end = loop {
                let n = stream.read(&mut buf[filled..]).expect("read");
                assert!(n > 0, "the emulator closed the connection");
                filled += n;
                if let Some(i) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
            };
            let head = std::str::from_utf8(&buf[..head_end]).expect("ascii head");
            if !head.starts_with("HTTP/1.1 2") {
                failures += 1;
            }
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .expect("a Content-Length");
            while filled < head_end + length {
                let n = stream.read(&mut buf[filled..]).expect("read");
                assert!(n > 0, "the emulator closed the connection");
                filled += n;
            }
        }
        failures
    }

    /// Connection pooling: a fresh client, a fresh clone for every request, 64 at a time; then
    /// the same with a fresh bare `reqwest::Client`.
    fn pool_check(
        rt: &tokio::runtime::Runtime,
        emu: &EmulatorProcess,
        setup: &Setup,
        user: &CommunicationUserIdentifier,
    ) -> Value {
        let emu_pid = Some(emu.child.id());
        {
            let client =
                CommunicationIdentityClient::from_connection_string(&emu.connection_string, None)
                    .expect("client");
            let user = Arc::new(user.clone());
            let before = own_connections_to(emu.port);
            let total = 2000;
            let sample = measure(total, emu_pid, || {
                let (client, user) = (client.clone(), user.clone());
                rt.block_on(drive(64, total, move || {
                    sdk_get_token(client.clone(), user.clone())
                }))
            });
            let open_now = own_connections_to(emu.port).saturating_sub(before);
            // The same with a fresh bare reqwest::Client (clones share its pool), for comparison.
            let bare = reqwest::Client::new();
            let prepared = Arc::new(prepare(&setup.get_token, &setup.endpoint, &setup.key));
            let before = own_connections_to(emu.port);
            let base = measure(total, emu_pid, || {
                let bare = bare.clone();
                rt.block_on(drive(64, total, move || {
                    let (client, prepared) = (bare.clone(), prepared.clone());
                    async move { send_prepared(&client, &prepared).await }
                }))
            });
            let base_open = own_connections_to(emu.port).saturating_sub(before);
            json!({
                "requests": total,
                "concurrency": 64,
                "clone_per_request": true,
                "connections_opened": sample.connections_opened,
                "connections_open_after": open_now,
                "failures": sample.failures,
                "baseline_connections_opened": base.connections_opened,
                "baseline_connections_open_after": base_open,
            })
        }
    }

    // ---------------------------------------------------------------------------------------
    // Peak memory, in child processes of this binary.

    #[derive(Serialize, Deserialize)]
    struct ChildSpec {
        kind: String,
        connection_string: String,
        endpoint: String,
        access_key_base64: String,
        user_id: String,
        template: Template,
        requests: usize,
        concurrency: usize,
    }

    #[derive(Clone, Copy, Serialize, Deserialize)]
    struct ChildReport {
        /// VmHWM before any client was built (runtime started).
        start_hwm_kb: u64,
        /// VmHWM after the run.
        peak_kb: u64,
        rss_kb: u64,
        rps: f64,
        cpu_us: f64,
        failures: usize,
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    }

    fn child_main(spec_json: &str) {
        let spec: ChildSpec = serde_json::from_str(spec_json).expect("child spec");
        let rt = runtime();
        let start_hwm_kb = status_kb("self", "VmHWM").unwrap_or(0);
        let key = AccessKey::from_base64(&spec.access_key_base64).expect("key");
        let (c, n) = (spec.concurrency, spec.requests);
        let sample = match spec.kind.as_str() {
            "sdk" => {
                let client = CommunicationIdentityClient::from_connection_string(
                    &spec.connection_string,
                    None,
                )
                .expect("client");
                let user = Arc::new(CommunicationUserIdentifier::new(spec.user_id.clone()));
                let run = |total: usize| {
                    let (client, user) = (client.clone(), user.clone());
                    rt.block_on(drive(c, total, move || {
                        sdk_get_token(client.clone(), user.clone())
                    }))
                };
                run(4 * c);
                measure(n, None, || run(n))
            }
            "baseline" => {
                let client = reqwest::Client::new();
                let prepared = Arc::new(prepare(&spec.template, &spec.endpoint, &key));
                let run = |total: usize| {
                    let (client, prepared) = (client.clone(), prepared.clone());
                    rt.block_on(drive(c, total, move || {
                        let (client, prepared) = (client.clone(), prepared.clone());
                        async move { send_prepared(&client, &prepared).await }
                    }))
                };
                run(4 * c);
                measure(n, None, || run(n))
            }
            other => panic!("unknown child kind {other:?}"),
        };
        let report = ChildReport {
            start_hwm_kb,
            peak_kb: status_kb("self", "VmHWM").unwrap_or(0),
            rss_kb: status_kb("self", "VmRSS").unwrap_or(0),
            rps: sample.rps,
            cpu_us: sample.cpu_us,
            failures: sample.failures,
        };
        println!("{}", serde_json::to_string(&report).unwrap());
    }

    fn run_child(spec: &ChildSpec) -> ChildReport {
        let exe = std::env::current_exe().expect("current_exe");
        let out = Command::new(exe)
            .args(["--child", &serde_json::to_string(spec).unwrap()])
            .stderr(Stdio::inherit())
            .output()
            .expect("child process");
        assert!(out.status.success(), "child {} failed", spec.kind);
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.lines().last().unwrap_or_default()).expect("child report")
    }

    // ---------------------------------------------------------------------------------------
    // Python SDK.

    fn python_venv() -> Option<PathBuf> {
        let python = target_dir()
            .join("py-bench-venv")
            .join("bin")
            .join("python");
        python.exists().then_some(python)
    }

    fn run_python(python: &Path, connection_string: &str, requests: usize) -> Option<Value> {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/python/get_token_bench.py");
        let out = Command::new(python)
            .arg(&script)
            .args(["--connection-string", connection_string])
            .args(["--requests", &requests.to_string()])
            .args(["--concurrency", "1,16"])
            .stderr(Stdio::inherit())
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!("python bench failed: {}", out.status);
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        serde_json::from_str(text.lines().last()?).ok()
    }

    // ---------------------------------------------------------------------------------------
    // Statistics and output.

    fn median(mut v: Vec<f64>) -> f64 {
        v.retain(|x| x.is_finite());
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let m = v.len() / 2;
        if v.len() % 2 == 1 {
            v[m]
        } else {
            (v[m - 1] + v[m]) / 2.0
        }
    }

    struct Config {
        op: Op,
        concurrency: usize,
        sdk: Vec<Sample>,
        baseline: Vec<Sample>,
    }

    impl Config {
        fn rps_ratios(&self) -> Vec<f64> {
            self.sdk
                .iter()
                .zip(&self.baseline)
                .map(|(s, b)| s.rps / b.rps)
                .collect()
        }
        fn cpu_ratios(&self) -> Vec<f64> {
            self.sdk
                .iter()
                .zip(&self.baseline)
                .map(|(s, b)| s.cpu_us / b.cpu_us)
                .collect()
        }
    }

    fn summary(samples: &[Sample]) -> Value {
        let m = |f: fn(&Sample) -> f64| median(samples.iter().map(f).collect());
        json!({
            "rps": m(|s| s.rps),
            "cpu_us_per_request": m(|s| s.cpu_us),
            "user_us_per_request": m(|s| s.user_us),
            "sys_us_per_request": m(|s| s.sys_us),
            "context_switches_per_request": m(|s| s.switches),
            "emulator_cpu_us_per_request": m(|s| s.emulator_cpu_us.unwrap_or(f64::NAN)),
            "failures": samples.iter().map(|s| s.failures).sum::<usize>(),
            "runs": samples,
        })
    }

    fn machine() -> Value {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo.lines().find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, v)| v.trim().to_owned())
        });
        let mem_kb = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        });
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        json!({
            "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "cpu_model": model,
            "mem_total": mem_kb,
            "loadavg_at_start": load.trim(),
        })
    }

    // ---------------------------------------------------------------------------------------

    pub(crate) fn main() {
        let args = parse_args();
        if let Some(spec) = &args.child {
            child_main(spec);
            return;
        }
        let rt = runtime();
        let binary = emulator_binary(&args);
        eprintln!("emulator binary: {}", binary.display());
        let emu = spawn_emulator(&binary);
        let emu_pid = Some(emu.child.id());
        let key = AccessKey::from_base64(&emu.access_key_base64).expect("access key");
        let sdk = CommunicationIdentityClient::from_connection_string(&emu.connection_string, None)
            .expect("SDK client");
        let user = rt
            .block_on(sdk.create_user())
            .expect("create_user against the emulator");
        let (get_token, create) = rt.block_on(record_templates(&emu, &user));
        let setup = Setup {
            sdk,
            bare: reqwest::Client::new(),
            user: user.clone(),
            get_token,
            create,
            endpoint: emu.endpoint.clone(),
            key,
        };
        let n = args.requests;
        // Size of one call's future (what each concurrent call holds while it waits).
        let future_bytes = json!({
            "sdk_get_token": std::mem::size_of_val(&setup.sdk.get_token(
                &setup.user,
                &[CommunicationTokenScope::Chat],
                None
            )),
            "sdk_create_user_and_token": std::mem::size_of_val(
                &setup.sdk.create_user_and_token(&[CommunicationTokenScope::Chat], None)
            ),
            "baseline": std::mem::size_of_val(&send_prepared(
                &setup.bare,
                &prepare(&setup.get_token, &setup.endpoint, &setup.key)
            )),
        });
        eprintln!("future sizes (bytes): {future_bytes}");
        eprintln!(
            "emulator pid {} at {}; {} requests per configuration, {} runs",
            emu.child.id(),
            emu.endpoint,
            n,
            args.runs
        );

        let mut configs: Vec<Config> = Vec::new();
        for &op in &args.ops {
            for &c in &args.concurrency {
                configs.push(Config {
                    op,
                    concurrency: c,
                    sdk: vec![],
                    baseline: vec![],
                });
            }
        }
        let python = if args.python { python_venv() } else { None };
        let mut floors: Vec<Sample> = Vec::new();
        let mut pools: Vec<Value> = Vec::new();
        let mut python_runs: Vec<Value> = Vec::new();
        let addr = emu.endpoint.trim_start_matches("http://").to_owned();

        for run in 0..args.runs {
            for (i, config) in configs.iter_mut().enumerate() {
                let c = config.concurrency;
                let kinds: Vec<Kind> = [Kind::Sdk, Kind::Baseline]
                    .into_iter()
                    .filter(|k| args.only.is_none_or(|only| only == *k))
                    .collect();
                // Signed now: the emulator accepts an `x-ms-date` up to 5 minutes old.
                let prepared = Arc::new(prepare(
                    setup.template(config.op),
                    &setup.endpoint,
                    &setup.key,
                ));
                // Warm-up: open the connections, fill the caches.
                for &kind in &kinds {
                    rt.block_on(setup.load(kind, config.op, c, (4 * c).max(200), &prepared));
                }
                // The requests go in slices, the SDK's and the baseline's in turn (the order
                // alternating), so that both see the same background load on a shared machine.
                let mut parts: [Vec<Sample>; 2] = [vec![], vec![]];
                for slice in 0..args.slices {
                    let m = n / args.slices + usize::from(slice < n % args.slices);
                    let mut order = kinds.clone();
                    if (run + i + slice) % 2 == 1 {
                        order.reverse();
                    }
                    for kind in order {
                        let sample = measure(m, emu_pid, || {
                            rt.block_on(setup.load(kind, config.op, c, m, &prepared))
                        });
                        if sample.failures > 0 {
                            eprintln!(
                                "warning: {} of {} requests failed ({} {} c={c})",
                                sample.failures,
                                m,
                                if kind == Kind::Sdk { "SDK" } else { "baseline" },
                                config.op.name()
                            );
                            emu.check_alive();
                        }
                        parts[usize::from(kind == Kind::Baseline)].push(sample);
                    }
                }
                if !parts[0].is_empty() {
                    config.sdk.push(Sample::combine(&parts[0]));
                }
                if !parts[1].is_empty() {
                    config.baseline.push(Sample::combine(&parts[1]));
                }
                if let Some(only) = args.only {
                    let s = match only {
                        Kind::Sdk => config.sdk.last().unwrap(),
                        Kind::Baseline => config.baseline.last().unwrap(),
                    };
                    eprintln!(
                        "run {} {:<22} c={:<3} {:>7.0} req/s {:>6.1} µs CPU",
                        run + 1,
                        config.op.name(),
                        config.concurrency,
                        s.rps,
                        s.cpu_us
                    );
                    continue;
                }
                let (s, b) = (config.sdk.last().unwrap(), config.baseline.last().unwrap());
                eprintln!(
                    "run {} {:<22} c={:<3} SDK {:>7.0} req/s {:>6.1} µs CPU | baseline {:>7.0} req/s {:>6.1} µs CPU | {:.2}x rps {:.2}x CPU",
                    run + 1,
                    config.op.name(),
                    config.concurrency,
                    s.rps,
                    s.cpu_us,
                    b.rps,
                    b.cpu_us,
                    s.rps / b.rps,
                    s.cpu_us / b.cpu_us
                );
            }
            if args.only.is_some() {
                continue;
            }
            // Floor: the same pre-signed get_token bytes over a blocking socket.
            let prepared = prepare(&setup.get_token, &setup.endpoint, &setup.key);
            floor(&addr, &prepared.wire, 200);
            let f = measure(n, emu_pid, || floor(&addr, &prepared.wire, n));
            eprintln!(
                "run {} floor (blocking socket)  {:>7.0} req/s {:>6.1} µs CPU ({:.1} user + {:.1} sys)",
                run + 1,
                f.rps,
                f.cpu_us,
                f.user_us,
                f.sys_us
            );
            floors.push(f);
            let p = pool_check(&rt, &emu, &setup, &user);
            eprintln!(
                "run {} pool: fresh clone per request at concurrency 64: {} connections open afterwards (bare reqwest::Client: {})",
                run + 1,
                p["connections_open_after"],
                p["baseline_connections_open_after"]
            );
            pools.push(p);
            if let Some(python) = &python {
                match run_python(python, &emu.connection_string, args.python_requests) {
                    Some(v) => {
                        eprintln!("run {} python: {}", run + 1, v["results"]);
                        python_runs.push(v);
                    }
                    None => eprintln!("run {} python: failed", run + 1),
                }
            }
        }

        if args.only.is_some() {
            return;
        }
        let pool = {
            let m = |key: &str| median(pools.iter().filter_map(|p| p[key].as_f64()).collect());
            json!({
                "requests": pools[0]["requests"],
                "concurrency": 64,
                "clone_per_request": true,
                "connections_open_after_median": m("connections_open_after"),
                "baseline_connections_open_after_median": m("baseline_connections_open_after"),
                "connections_opened_median": m("connections_opened"),
                "baseline_connections_opened_median": m("baseline_connections_opened"),
                "runs": pools,
            })
        };

        // Peak RSS, each client in its own process.
        let memory = if args.memory {
            let mut sdk_reports = vec![];
            let mut base_reports = vec![];
            for _ in 0..args.runs {
                for kind in ["sdk", "baseline"] {
                    let spec = ChildSpec {
                        kind: kind.into(),
                        connection_string: emu.connection_string.clone(),
                        endpoint: emu.endpoint.clone(),
                        access_key_base64: emu.access_key_base64.clone(),
                        user_id: user.id().to_owned(),
                        template: setup.get_token.clone(),
                        requests: n,
                        concurrency: 64,
                    };
                    let report = run_child(&spec);
                    if kind == "sdk" {
                        sdk_reports.push(report);
                    } else {
                        base_reports.push(report);
                    }
                }
            }
            let m =
                |r: &[ChildReport], f: fn(&ChildReport) -> f64| median(r.iter().map(f).collect());
            let v = json!({
                "operation": "get_token",
                "concurrency": 64,
                "requests": n,
                "sdk_peak_kb": m(&sdk_reports, |r| r.peak_kb as f64),
                "baseline_peak_kb": m(&base_reports, |r| r.peak_kb as f64),
                "sdk_start_kb": m(&sdk_reports, |r| r.start_hwm_kb as f64),
                "baseline_start_kb": m(&base_reports, |r| r.start_hwm_kb as f64),
                "sdk_runs": sdk_reports,
                "baseline_runs": base_reports,
            });
            Some(v)
        } else {
            None
        };

        // ----- Report.
        println!();
        println!(
            "{:<22} {:>4} | {:>9} {:>9} {:>6} | {:>9} {:>9} {:>6} | {:>5}",
            "operation",
            "conc",
            "SDK rps",
            "base rps",
            "ratio",
            "SDK µs",
            "base µs",
            "ratio",
            "fails"
        );
        println!("{}", "-".repeat(94));
        let mut table = vec![];
        let mut met_rps = true;
        let mut met_cpu = true;
        for config in &configs {
            let s = summary(&config.sdk);
            let b = summary(&config.baseline);
            let rps_ratio = median(config.rps_ratios());
            let cpu_ratio = median(config.cpu_ratios());
            met_rps &= rps_ratio >= 0.9;
            met_cpu &= cpu_ratio <= 1.2;
            let fails = s["failures"].as_u64().unwrap() + b["failures"].as_u64().unwrap();
            println!(
                "{:<22} {:>4} | {:>9.0} {:>9.0} {:>5.2}x | {:>9.1} {:>9.1} {:>5.2}x | {:>5}",
                config.op.name(),
                config.concurrency,
                s["rps"].as_f64().unwrap(),
                b["rps"].as_f64().unwrap(),
                rps_ratio,
                s["cpu_us_per_request"].as_f64().unwrap(),
                b["cpu_us_per_request"].as_f64().unwrap(),
                cpu_ratio,
                fails
            );
            table.push(json!({
                "operation": config.op.name(),
                "concurrency": config.concurrency,
                "sdk": s,
                "baseline": b,
                "rps_ratio_median": rps_ratio,
                "cpu_ratio_median": cpu_ratio,
                "rps_ratios": config.rps_ratios(),
                "cpu_ratios": config.cpu_ratios(),
            }));
        }
        let floor_summary = summary(&floors);
        println!(
            "floor: blocking socket, get_token sequential: {:.0} req/s, {:.1} µs CPU/request ({:.1} user + {:.1} sys)",
            floor_summary["rps"].as_f64().unwrap(),
            floor_summary["cpu_us_per_request"].as_f64().unwrap(),
            floor_summary["user_us_per_request"].as_f64().unwrap(),
            floor_summary["sys_us_per_request"].as_f64().unwrap()
        );
        println!(
            "pool: fresh clone per request at concurrency 64, {} requests: {} connections open afterwards (bare reqwest::Client: {}); medians",
            pool["requests"],
            pool["connections_open_after_median"],
            pool["baseline_connections_open_after_median"]
        );
        if let Some(m) = &memory {
            println!(
                "peak RSS (VmHWM), get_token at concurrency 64: SDK {:.0} kB, baseline {:.0} kB ({:.2}x); at start {:.0} / {:.0} kB",
                m["sdk_peak_kb"].as_f64().unwrap(),
                m["baseline_peak_kb"].as_f64().unwrap(),
                m["sdk_peak_kb"].as_f64().unwrap() / m["baseline_peak_kb"].as_f64().unwrap(),
                m["sdk_start_kb"].as_f64().unwrap(),
                m["baseline_start_kb"].as_f64().unwrap()
            );
        }

        // Python / Rust, per run (same run), then the median.
        let python_summary = if python_runs.is_empty() {
            if args.python {
                println!(
                    "python: skipped (run benches/python/bench_python.sh to create target/py-bench-venv)"
                );
            }
            None
        } else {
            let rust_cpu = |c: usize, run: usize| {
                configs
                    .iter()
                    .find(|x| x.op == Op::GetToken && x.concurrency == c)
                    .and_then(|x| x.sdk.get(run))
                    .map(|s| s.cpu_us)
            };
            let mut rows = vec![];
            let modes: Vec<(String, u64)> = python_runs[0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["mode"].as_str().unwrap().to_owned(),
                        r["concurrency"].as_u64().unwrap(),
                    )
                })
                .collect();
            for (mode, c) in modes {
                let mut py = vec![];
                let mut ratios = vec![];
                let mut rps = vec![];
                for (run, v) in python_runs.iter().enumerate() {
                    let Some(r) = v["results"].as_array().unwrap().iter().find(|r| {
                        r["mode"].as_str() == Some(&mode) && r["concurrency"].as_u64() == Some(c)
                    }) else {
                        continue;
                    };
                    let cpu = r["cpu_us_per_request"].as_f64().unwrap();
                    py.push(cpu);
                    rps.push(r["rps"].as_f64().unwrap());
                    if let Some(rust) = rust_cpu(c as usize, run) {
                        ratios.push(cpu / rust);
                    }
                }
                let (py_m, ratio_m) = (median(py), median(ratios.clone()));
                println!(
                    "python {mode:<8} c={c:<3}: {:.0} req/s, {:.1} µs CPU/request = {:.1}x the Rust SDK's",
                    median(rps.clone()),
                    py_m,
                    ratio_m
                );
                rows.push(json!({
                    "mode": mode,
                    "concurrency": c,
                    "rps": median(rps),
                    "cpu_us_per_request": py_m,
                    "python_over_rust_cpu": ratio_m,
                    "python_over_rust_cpu_runs": ratios,
                }));
            }
            Some(json!({ "summary": rows, "runs": python_runs }))
        };

        println!(
            "targets: SDK throughput >= 0.9x baseline at every concurrency: {}; SDK CPU/request <= 1.2x baseline: {}",
            if met_rps { "met" } else { "MISSED" },
            if met_cpu { "met" } else { "MISSED" }
        );

        let result = json!({
            "machine": machine(),
            "requests_per_configuration": n,
            "runs": args.runs,
            "tokio_worker_threads": 2,
            "future_bytes": future_bytes,
            "throughput": table,
            "floor": json!({ "operation": "get_token", "summary": floor_summary }),
            "pool": pool,
            "memory": memory,
            "python": python_summary,
            "targets": { "throughput_ratio_ge_0_9": met_rps, "cpu_ratio_le_1_2": met_cpu },
        });
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| target_dir().join("bench-results").join("throughput.json"));
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).expect("results dir");
        }
        std::fs::write(&out, serde_json::to_string_pretty(&result).unwrap())
            .expect("write results");
        println!("results: {}", out.display());
    }
}
