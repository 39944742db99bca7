//! `acs-identity-emulator`: serves a local emulator of the Communication Services Identity
//! service (see `acs_identity_emulator`) on `127.0.0.1` (or `--host`) until stopped with Ctrl-C.

use acs_identity_emulator::{Emulator, EmulatorOptions, RandomFaults, Tls};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
Usage: acs-identity-emulator [OPTIONS]

Serves a local emulator of the Azure Communication Services Identity API on
127.0.0.1, over plain http unless asked for https, and prints its endpoint and
connection string. State is kept in memory unless --data-dir is given. Stop it
with Ctrl-C.

Options:
  --port <PORT>            Port to listen on (default 0: any free port)
  --host <ADDR>            Address to listen on (default 127.0.0.1), e.g. 0.0.0.0
                           in a container; the emulator is for tests only
  --data-dir <PATH>        Keep the resource (id, access key) and every change of
                           identities, revocations and assignments in PATH, and
                           load them at start (created if missing)
  --any-api-version        Serve API versions this emulator does not know (every
                           operation) instead of refusing them as the service does
  --fault-rate <RATE>      Answer this share of requests (0 to 1) with a transient
                           fault: 500, 503, 429, or a connection reset before or
                           during the answer (default 0)
  --https                  Serve https with a certificate made at start for
                           localhost, 127.0.0.1 and ::1
  --cert-out <PATH>        With --https: write that certificate (PEM) to PATH
                           (default: acs-identity-emulator-<port>.pem in the
                           temporary directory); clients must trust it
  --cert <PATH>            Serve https with this certificate chain (PEM, the
                           server's certificate first); needs --key
  --key <PATH>             The private key of --cert (PEM)
  --access-key <BASE64>    The access key (default: a random 64-byte key)
  --resource-id <ID>       The resource id, as in 8:acs:<ID>_<user> (default: a
                           random GUID)
  --page-size <N>          The most Entra ID assignments a page holds (default
                           100)
  --json                   Print one JSON object (endpoint, connection_string,
                           resource_id, certificate, port) instead of the banner
  -V, --version            Print the version
  -h, --help               Print this help

The certificate path (when serving https) is printed on a line
`certificate: PATH`. Entra ID: set AZURE_AUTHORITY_HOST=<endpoint>,
AZURE_TENANT_ID=adfs and any AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for the
official credential libraries (client credentials, and passwords for Teams
users); or POST <endpoint>/emulator/entra/token with {\"scopes\":
[\"https://communication.azure.com//.default\"]}.
";

/// How to serve.
#[derive(Debug, Default, PartialEq, Eq)]
struct Serve {
    host: Option<IpAddr>,
    port: u16,
    https: bool,
    cert_out: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    access_key: Option<String>,
    resource_id: Option<String>,
    page_size: Option<usize>,
    data_dir: Option<PathBuf>,
    any_api_version: bool,
    fault_rate: Option<String>,
    json: bool,
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Version,
    Serve(Box<Serve>),
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut serve = Serve::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let switch = |on: &mut bool| match &inline {
            Some(_) => Err(format!("{name} takes no value")),
            None => {
                *on = true;
                Ok(())
            }
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--https" => switch(&mut serve.https)?,
            "--any-api-version" => switch(&mut serve.any_api_version)?,
            "--json" => switch(&mut serve.json)?,
            "--port" | "--host" | "--data-dir" | "--cert-out" | "--cert" | "--key"
            | "--access-key" | "--resource-id" | "--page-size" | "--fault-rate" => {
                let value = match inline {
                    Some(value) => value,
                    None => args.next().ok_or_else(|| format!("{name} needs a value"))?,
                };
                match name.as_str() {
                    "--port" => {
                        serve.port = value
                            .parse()
                            .map_err(|_| format!("invalid port {value:?}: expected 0 to 65535"))?;
                    }
                    "--host" => {
                        serve.host = Some(value.parse().map_err(|_| {
                            format!(
                                "invalid host {value:?}: expected an IP address, e.g. \
                                 127.0.0.1, 0.0.0.0 or ::1"
                            )
                        })?);
                    }
                    "--data-dir" => serve.data_dir = Some(value.into()),
                    "--fault-rate" => {
                        let rate: f64 = value.parse().map_err(|_| {
                            format!("invalid fault rate {value:?}: expected a number from 0 to 1")
                        })?;
                        if !(0.0..=1.0).contains(&rate) {
                            return Err(format!(
                                "invalid fault rate {value:?}: expected a number from 0 to 1"
                            ));
                        }
                        serve.fault_rate = Some(value);
                    }
                    "--cert-out" => serve.cert_out = Some(value.into()),
                    "--cert" => serve.cert = Some(value.into()),
                    "--key" => serve.key = Some(value.into()),
                    "--access-key" => serve.access_key = Some(value),
                    "--page-size" => {
                        serve.page_size =
                            Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                                format!("invalid page size {value:?}: expected 1 or more")
                            })?);
                    }
                    _ => serve.resource_id = Some(value),
                }
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    match (&serve.cert, &serve.key) {
        (Some(_), None) => return Err("--cert needs --key".to_owned()),
        (None, Some(_)) => return Err("--key needs --cert".to_owned()),
        (Some(_), Some(_)) if serve.cert_out.is_some() => {
            return Err(
                "--cert-out writes the certificate made at start; with --cert, clients trust \
                 that certificate"
                    .to_owned(),
            );
        }
        (Some(_), Some(_)) => serve.https = true,
        (None, None) if serve.cert_out.is_some() && !serve.https => {
            return Err("--cert-out needs --https".to_owned());
        }
        (None, None) => {}
    }
    Ok(Command::Serve(Box::new(serve)))
}

/// Reads a file given on the command line.
fn read(flag: &str, path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {flag} {}: {e}", path.display()))
}

/// The path as it will be printed: absolute, so that it stays right from any directory.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// Starts the emulator and writes the certificate file; the certificate's path when serving
/// https.
async fn start(serve: &Serve) -> Result<(Emulator, Option<PathBuf>), String> {
    let tls = match (&serve.cert, &serve.key) {
        (Some(cert), Some(key)) => Tls::pem(read("--cert", cert)?, read("--key", key)?),
        _ if serve.https => Tls::Generated,
        _ => Tls::Off,
    };
    let defaults = EmulatorOptions::default();
    let host = serve.host.unwrap_or(defaults.host);
    let options = EmulatorOptions {
        host,
        port: serve.port,
        tls,
        access_key: serve.access_key.clone(),
        resource_id: serve.resource_id.clone(),
        page_size: serve.page_size.unwrap_or(defaults.page_size),
        any_api_version: serve.any_api_version,
        data_dir: serve.data_dir.clone(),
        ..defaults
    };
    let emulator = Emulator::start_with(options)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(rate) = serve.fault_rate.as_deref().and_then(|r| r.parse().ok()) {
        emulator
            .faults()
            .inject_randomly(RandomFaults::transient(rate));
    }
    let certificate = match (&serve.cert, emulator.certificate_pem()) {
        (Some(cert), _) => Some(absolute(cert)),
        (None, Some(pem)) => {
            let path = serve.cert_out.clone().unwrap_or_else(|| {
                std::env::temp_dir().join(format!("acs-identity-emulator-{}.pem", emulator.port()))
            });
            std::fs::write(&path, pem)
                .map_err(|e| format!("cannot write the certificate to {}: {e}", path.display()))?;
            Some(absolute(&path))
        }
        (None, None) => None,
    };
    Ok((emulator, certificate))
}

/// The banner (its first lines are read by scripts), or the JSON object of `--json`.
fn banner(emulator: &Emulator, certificate: Option<&Path>, json: bool) -> String {
    if json {
        let value = serde_json::json!({
            "endpoint": emulator.endpoint(),
            "connection_string": emulator.connection_string(),
            "resource_id": emulator.resource_id(),
            "certificate": certificate.map(|p| p.display().to_string()),
            "port": emulator.port(),
        });
        return format!("{value}\n");
    }
    let mut banner = format!(
        "endpoint:          {}\nconnection string: {}\nresource id:       {}\n",
        emulator.endpoint(),
        emulator.connection_string(),
        emulator.resource_id()
    );
    if let Some(path) = certificate {
        banner.push_str(&format!("certificate:       {}\n", path.display()));
    }
    banner.push_str("Serving; stop with Ctrl-C.\n");
    banner
}

#[tokio::main]
async fn main() -> ExitCode {
    let serve = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("acs-identity-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve(serve)) => *serve,
        Err(message) => {
            eprintln!("acs-identity-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(host) = serve.host.filter(|h| !h.is_loopback()) {
        eprintln!(
            "acs-identity-emulator: warning: listening on {host}, not a loopback address: \
             other machines can reach this emulator, which is for tests only (it accepts any \
             client id and password at its token endpoints)"
        );
    }
    let (emulator, certificate) = match start(&serve).await {
        Ok(started) => started,
        Err(message) => {
            eprintln!("acs-identity-emulator: {message}");
            return ExitCode::FAILURE;
        }
    };
    // One write, and a closed stdout (a parent that read what it needed and went away) does
    // not stop the server: `println!` would panic on a broken pipe.
    let banner = banner(&emulator, certificate.as_deref(), serve.json);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);
    // Ctrl-C (SIGINT) ends the process with its default action; nothing needs saving.
    std::future::pending::<()>().await;
    drop(emulator);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    fn serve(args: &[&str]) -> Serve {
        match parse(args) {
            Ok(Command::Serve(serve)) => *serve,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    #[test]
    fn arguments() {
        assert_eq!(parse(&[]), Ok(Command::Serve(Box::default())));
        assert_eq!(serve(&["--port", "8080"]).port, 8080);
        assert_eq!(serve(&["--port=9"]).port, 9);
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
        assert_eq!(parse(&["--port", "1", "-h"]), Ok(Command::Help));
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "65536"]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        // Only a flag's value follows `=`: another argument is refused whole.
        assert_eq!(
            parse(&["a=b"]),
            Err("unexpected argument \"a=b\"".to_owned())
        );
    }

    #[test]
    fn https_and_certificates() {
        let s = serve(&["--https", "--cert-out", "c.pem"]);
        assert!(s.https);
        assert_eq!(s.cert_out, Some(PathBuf::from("c.pem")));
        assert!(serve(&["--https"]).https);
        assert!(!serve(&[]).https);
        // --cert and --key imply https.
        let s = serve(&["--cert=c.pem", "--key", "k.pem"]);
        assert!(s.https);
        assert_eq!(
            (s.cert, s.key),
            (Some("c.pem".into()), Some("k.pem".into()))
        );
        assert!(parse(&["--cert", "c.pem"]).is_err());
        assert!(parse(&["--key", "k.pem"]).is_err());
        assert!(parse(&["--cert-out", "c.pem"]).is_err());
        assert!(parse(&["--cert", "c", "--key", "k", "--cert-out", "o"]).is_err());
        assert!(parse(&["--https=yes"]).is_err());
    }

    #[test]
    fn fixed_credentials_and_json() {
        let s = serve(&["--access-key", "a2V5", "--resource-id=r1", "--json"]);
        assert_eq!(s.access_key.as_deref(), Some("a2V5"));
        assert_eq!(s.resource_id.as_deref(), Some("r1"));
        assert!(s.json);
        // A base64 key may end in `=`: only the first `=` separates the value.
        assert_eq!(
            serve(&["--access-key=a2V5cw=="]).access_key.as_deref(),
            Some("a2V5cw==")
        );
        assert!(parse(&["--resource-id"]).is_err());
    }

    #[test]
    fn version_host_data_dir_and_versions() {
        assert_eq!(parse(&["--version"]), Ok(Command::Version));
        assert_eq!(parse(&["-V"]), Ok(Command::Version));
        assert_eq!(serve(&[]).host, None);
        assert_eq!(
            serve(&["--host", "0.0.0.0"]).host,
            Some(IpAddr::from([0, 0, 0, 0]))
        );
        assert_eq!(
            serve(&["--host=::1"]).host,
            Some(IpAddr::from(std::net::Ipv6Addr::LOCALHOST))
        );
        let error = parse(&["--host", "localhost"]).unwrap_err();
        assert!(error.contains("expected an IP address"), "{error}");
        assert!(parse(&["--host"]).is_err());
        assert_eq!(
            serve(&["--data-dir", "d"]).data_dir,
            Some(PathBuf::from("d"))
        );
        assert!(parse(&["--data-dir"]).is_err());
        assert!(serve(&["--any-api-version"]).any_api_version);
        assert!(!serve(&[]).any_api_version);
        assert!(parse(&["--any-api-version=1"]).is_err());
        assert_eq!(
            serve(&["--fault-rate", "0.1"]).fault_rate.as_deref(),
            Some("0.1")
        );
        for bad in ["1.5", "-0.1", "x", "NaN"] {
            let error = parse(&["--fault-rate", bad]).unwrap_err();
            assert!(
                error.contains("expected a number from 0 to 1"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn page_size() {
        assert_eq!(serve(&[]).page_size, None);
        assert_eq!(serve(&["--page-size", "2"]).page_size, Some(2));
        assert_eq!(serve(&["--page-size=7"]).page_size, Some(7));
        for bad in ["0", "-1", "x"] {
            assert!(parse(&["--page-size", bad]).is_err(), "{bad}");
        }
    }
}
