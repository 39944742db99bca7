//! The `acs-identity-emulator` binary: its flags (https, certificates, fixed credentials,
//! `--json`) and its banner, which scripts in other languages read.

use acs_identity::{ClientOptions, CommunicationIdentityClient};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A running emulator process, killed when dropped.
pub(crate) struct Running {
    pub(crate) child: Child,
    /// The lines it printed before serving.
    pub(crate) lines: Vec<String>,
}

impl Running {
    /// Starts the binary with `args` and reads its banner (up to `Serving…`, or the one JSON line
    /// of `--json`).
    pub(crate) fn start(args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_acs-identity-emulator"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the emulator binary starts");
        let json = args.contains(&"--json");
        let mut lines = Vec::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                let mut err = String::new();
                let _ = std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err);
                panic!("the emulator ended before serving: {lines:?} {err}");
            }
            let line = line.trim_end().to_owned();
            let done = json || line.starts_with("Serving");
            lines.push(line);
            if done {
                break;
            }
        }
        Running { child, lines }
    }

    /// The value of banner line `name:`.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.lines.iter().find_map(|l| {
            l.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(str::trim)
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary expecting it to refuse its arguments: its exit code and standard error.
pub(crate) fn refused(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_acs-identity-emulator"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A directory of its own for this test's files, removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "acs-identity-emulator-test-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub(crate) fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The port of an endpoint the banner names (`http://127.0.0.1:PORT`).
fn port_of(endpoint: &str) -> u16 {
    endpoint.rsplit(':').next().unwrap().parse().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// An SDK client of the connection string, trusting the certificate in `cert` (if any).
fn client(connection_string: &str, cert: Option<&Path>) -> CommunicationIdentityClient {
    let http_client = cert.map(|path| {
        let pem = std::fs::read(path).unwrap();
        reqwest::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&pem).unwrap())
            .build()
            .unwrap()
    });
    let options = ClientOptions {
        http_client,
        ..ClientOptions::default()
    };
    CommunicationIdentityClient::from_connection_string(connection_string, Some(options)).unwrap()
}

#[tokio::test]
async fn https_with_the_certificate_written_out() {
    let dir = TempDir::new("https");
    let cert = dir.path("cert.pem");
    let running = Running::start(&["--https", "--cert-out", cert.to_str().unwrap()]);
    let endpoint = running.value("endpoint").unwrap();
    let connection_string = running.value("connection string").unwrap();
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    assert!(
        connection_string.starts_with(&format!("endpoint={endpoint}/;accesskey=")),
        "{connection_string}"
    );
    assert_eq!(running.value("certificate"), Some(cert.to_str().unwrap()));
    // The banner's first lines, in order (scripts read them).
    let names: Vec<&str> = running
        .lines
        .iter()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "endpoint",
            "connection string",
            "resource id",
            "certificate",
            "Serving; stop with Ctrl-C."
        ]
    );
    let pem = std::fs::read_to_string(&cert).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));

    let user = client(connection_string, Some(&cert))
        .create_user()
        .await
        .unwrap();
    assert!(
        user.id()
            .starts_with(&format!("8:acs:{}_", running.value("resource id").unwrap()))
    );
    // Without the certificate: refused.
    let error = client(connection_string, None)
        .create_user()
        .await
        .unwrap_err();
    assert_eq!(error.kind(), acs_identity::ErrorKind::Transport, "{error}");
}

#[tokio::test]
async fn https_without_cert_out_writes_to_the_temporary_directory() {
    let running = Running::start(&["--https"]);
    let cert = PathBuf::from(running.value("certificate").unwrap());
    let port = port_of(running.value("endpoint").unwrap());
    assert_eq!(
        cert,
        std::env::temp_dir().join(format!("acs-identity-emulator-{port}.pem"))
    );
    client(running.value("connection string").unwrap(), Some(&cert))
        .create_user()
        .await
        .unwrap();
    drop(running);
    let _ = std::fs::remove_file(cert);
}

#[tokio::test]
async fn a_certificate_and_key_the_user_brings() {
    let dir = TempDir::new("user-cert");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "the user's own");
    let certificate = params.self_signed(&key).unwrap();
    let (cert, key_file) = (dir.path("user.pem"), dir.path("user.key"));
    std::fs::write(&cert, certificate.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();

    let running = Running::start(&[
        "--cert",
        cert.to_str().unwrap(),
        "--key",
        key_file.to_str().unwrap(),
    ]);
    assert_eq!(running.value("certificate"), Some(cert.to_str().unwrap()));
    let connection_string = running.value("connection string").unwrap();
    assert!(connection_string.starts_with("endpoint=https://127.0.0.1:"));
    client(connection_string, Some(&cert))
        .create_user()
        .await
        .unwrap();

    // A key that is not PEM: refused at start with a message, exit code 1.
    std::fs::write(&key_file, "not a key").unwrap();
    let (code, stderr) = refused(&[
        "--cert",
        cert.to_str().unwrap(),
        "--key",
        key_file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("private key"), "{stderr}");
    // A missing file.
    let (code, stderr) = refused(&["--cert", "/nonexistent/c.pem", "--key", "k.pem"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("--cert"), "{stderr}");
}

#[tokio::test]
async fn fixed_credentials_give_the_same_connection_string_across_starts() {
    let key =
        "0iAHTwxfPMu70btL2S/tt3ADp/b5zFoz3sEw6EhJBwLVowsk5R1snCeOp22odZllW7sQPWrD/P0sAgo8tx1Isg==";
    let port = free_port().to_string();
    let args = [
        "--port",
        &port,
        "--access-key",
        key,
        "--resource-id",
        "fixed-resource",
    ];
    let first = Running::start(&args);
    let connection_string = first.value("connection string").unwrap().to_owned();
    assert_eq!(
        connection_string,
        format!("endpoint=http://127.0.0.1:{port}/;accesskey={key}")
    );
    assert_eq!(first.value("resource id"), Some("fixed-resource"));
    let user = client(&connection_string, None)
        .create_user()
        .await
        .unwrap();
    drop(first);

    let second = Running::start(&args);
    assert_eq!(
        second.value("connection string"),
        Some(connection_string.as_str())
    );
    // A client configured for the first run works with the second; state is not kept.
    let client = client(&connection_string, None);
    let other = client.create_user().await.unwrap();
    assert!(other.id().starts_with("8:acs:fixed-resource_"));
    let error = client
        .get_token(&user, &[acs_identity::CommunicationTokenScope::Chat], None)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("IdentityNotFound"));

    // Invalid values are refused at start.
    let (code, stderr) = refused(&["--access-key", "not base64!"]);
    assert_eq!(code, Some(1), "{stderr}");
    let (code, stderr) = refused(&["--resource-id", "a_b"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("resource id"), "{stderr}");
}

#[tokio::test]
async fn json_output() {
    let running = Running::start(&["--json", "--resource-id", "json-resource"]);
    assert_eq!(running.lines.len(), 1);
    let value: Value = serde_json::from_str(&running.lines[0]).unwrap();
    let endpoint = value["endpoint"].as_str().unwrap();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    assert_eq!(value["port"], port_of(endpoint));
    assert_eq!(value["resource_id"], "json-resource");
    assert_eq!(value["certificate"], Value::Null);
    let connection_string = value["connection_string"].as_str().unwrap();
    assert!(connection_string.starts_with(&format!("endpoint={endpoint}/;accesskey=")));
    client(connection_string, None).create_user().await.unwrap();

    let dir = TempDir::new("json");
    let cert = dir.path("cert.pem");
    let running = Running::start(&["--https", "--cert-out", cert.to_str().unwrap(), "--json"]);
    let value: Value = serde_json::from_str(&running.lines[0]).unwrap();
    assert_eq!(value["certificate"], cert.to_str().unwrap());
    let connection_string = value["connection_string"].as_str().unwrap();
    assert!(connection_string.starts_with("endpoint=https://"));
    client(connection_string, Some(&cert))
        .create_user()
        .await
        .unwrap();
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        &["--cert-out", "c.pem"][..],
        &["--cert", "c.pem"],
        &["--port", "x"],
        &["--nope"],
        &["--host", "localhost"],
    ] {
        let (code, stderr) = refused(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("Usage:"), "{stderr}");
    }
}

#[test]
fn version_is_printed() {
    let output = Command::new(env!("CARGO_BIN_EXE_acs-identity-emulator"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("acs-identity-emulator {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// `--host 0.0.0.0` (a container's network): served on every address, reached on the loopback
/// address the banner names, with a warning that the emulator is for tests.
#[tokio::test]
async fn another_host_is_served_with_a_warning() {
    let mut running = Running::start(&["--host", "0.0.0.0"]);
    let endpoint = running.value("endpoint").unwrap().to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    // Every address: another loopback address than the banner's is served too.
    assert!(std::net::TcpStream::connect(("127.0.0.2", port_of(&endpoint))).is_ok());
    let connection_string = running.value("connection string").unwrap().to_owned();
    client(&connection_string, None)
        .create_user()
        .await
        .unwrap();
    running.child.kill().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(running.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("warning: listening on 0.0.0.0, not a loopback address"),
        "{stderr}"
    );
    // The loopback address itself: no warning, and only that address is served.
    let mut quiet = Running::start(&["--host", "127.0.0.1"]);
    let endpoint = quiet.value("endpoint").unwrap().to_owned();
    assert!(std::net::TcpStream::connect(("127.0.0.2", port_of(&endpoint))).is_err());
    quiet.child.kill().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(quiet.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(stderr, "");
}

/// `--any-api-version` serves a version the emulator does not know; `--page-size` pages Entra
/// ID assignments; `--fault-rate 1` faults every request.
#[tokio::test]
async fn versions_pages_and_faults_from_the_command_line() {
    let running = Running::start(&["--any-api-version", "--page-size", "1"]);
    let client = client(running.value("connection string").unwrap(), None);
    let unknown = acs_identity::ClientOptions::default()
        .with_api_version(acs_identity::ApiVersion::other("2023-10-1"));
    let lenient = CommunicationIdentityClient::from_connection_string(
        running.value("connection string").unwrap(),
        Some(unknown),
    )
    .unwrap();
    lenient.create_user().await.unwrap();
    let preview = CommunicationIdentityClient::from_connection_string(
        running.value("connection string").unwrap(),
        Some(acs_identity::ClientOptions::latest_preview()),
    )
    .unwrap();
    for object_id in ["o1", "o2"] {
        preview
            .upsert_entra_assignment(
                object_id,
                "t",
                acs_identity::EntraPrincipalType::User,
                &["c"],
            )
            .await
            .unwrap();
    }
    // Two pages of one, followed by the client: both come back.
    assert_eq!(preview.list_entra_assignments().await.unwrap().len(), 2);
    let page = preview
        .raw()
        .list_entra_assignments()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.value.len(), 1);
    assert!(page.next_link.is_some());
    drop(client);

    let faulty = Running::start(&["--fault-rate", "1"]);
    let options = acs_identity::ClientOptions {
        retry: acs_identity::RetryOptions {
            max_retries: 0,
            ..acs_identity::RetryOptions::default()
        },
        ..acs_identity::ClientOptions::default()
    };
    let client = CommunicationIdentityClient::from_connection_string(
        faulty.value("connection string").unwrap(),
        Some(options),
    )
    .unwrap();
    for _ in 0..5 {
        let error = client.create_user().await.unwrap_err();
        assert!(error.is_transient(), "{error}");
    }
}
