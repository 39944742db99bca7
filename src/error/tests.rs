use super::redact::tests::Layer;
use super::*;

fn service(status: u16, code: Option<&str>) -> Error {
    let meta = ResponseMeta {
        status,
        request_id: Some("req-1".into()),
        retry_after: None,
    };
    let e = Error::new(ErrorKind::Service, "no details").with_response(status, &meta);
    match code {
        Some(code) => e.with_service_error(ServiceError::new(
            code.into(),
            "Provided identity doesn't belong to the resource.".into(),
            None,
            Vec::new(),
            None,
        )),
        None => e,
    }
}

#[test]
fn checks_follow_the_status_of_service_answers_only() {
    type Check = fn(&Error) -> bool;
    let checks: [(&str, Check, u16); 5] = [
        ("unauthorized", Error::is_unauthorized, 401),
        ("forbidden", Error::is_forbidden, 403),
        ("not found", Error::is_not_found, 404),
        ("invalid", Error::is_invalid_request, 400),
        ("throttled", Error::is_throttled, 429),
    ];
    for (name, check, status) in checks {
        for other in [200, 400, 401, 403, 404, 409, 429, 500] {
            assert_eq!(
                check(&service(other, None)),
                other == status,
                "{name} of {other}"
            );
        }
        // A status on an error that is not the service's answer (a body cut short after
        // the status line) is not the service's verdict.
        let cut =
            Error::new(ErrorKind::Transport, "cut").with_response(status, &ResponseMeta::default());
        assert!(!check(&cut), "{name} of a transport error");
    }
    assert!(Error::invalid_argument("x").is_invalid_request());
    assert!(!Error::configuration("x").is_invalid_request());
    assert!(Error::new(ErrorKind::Timeout, "t").is_timeout());
    assert!(!service(408, None).is_timeout());
}

#[test]
fn transient_failures() {
    for status in [408, 429, 500, 502, 503, 504] {
        assert!(service(status, None).is_transient(), "{status}");
    }
    for status in [400, 401, 403, 404, 409, 412, 501] {
        assert!(!service(status, None).is_transient(), "{status}");
    }
    assert!(Error::new(ErrorKind::Transport, "t").is_transient());
    assert!(Error::new(ErrorKind::Timeout, "t").is_transient());
    for kind in [
        ErrorKind::InvalidArgument,
        ErrorKind::Configuration,
        ErrorKind::InvalidResponse,
        ErrorKind::Credential,
    ] {
        let e = Error::new(kind, "x").with_response(503, &ResponseMeta::default());
        assert!(!e.is_transient(), "{kind:?}");
    }
}

#[test]
fn codes_are_typed_and_open() {
    for code in ErrorCode::KNOWN {
        assert_eq!(&ErrorCode::from_wire(code.as_str()), code);
        assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code.clone()));
        assert_eq!(code.to_string(), code.as_str());
        assert!(!matches!(code, ErrorCode::Other(_)));
    }
    assert_eq!(ErrorCode::KNOWN.len(), 10);
    assert_eq!(ErrorCode::IdentityNotOwned.as_str(), "IdentityNotOwned");
    assert_eq!(ErrorCode::from_wire("Denied"), ErrorCode::Denied);
    // Codes are case-sensitive on the wire: another spelling is another code.
    assert_eq!(
        ErrorCode::from_wire("denied"),
        ErrorCode::Other("denied".into())
    );
    let other = ErrorCode::from_wire("Throttled");
    assert_eq!(other.as_str(), "Throttled");
    assert_eq!(other.as_ref(), "Throttled");
    assert!(other == "Throttled" && other != "Denied");
    assert!(ErrorCode::Denied == *"Denied" && ErrorCode::Denied != *"Throttled");

    let e = service(401, Some("IdentityNotOwned"));
    assert_eq!(e.code(), Some("IdentityNotOwned"));
    assert_eq!(e.error_code(), Some(&ErrorCode::IdentityNotOwned));
    let s = e.service_error().unwrap();
    assert_eq!(
        (s.code(), s.error_code()),
        ("IdentityNotOwned", &ErrorCode::IdentityNotOwned)
    );
    assert_eq!(
        e.message(),
        "Provided identity doesn't belong to the resource."
    );
    assert_eq!(
        e.to_string(),
        "401 IdentityNotOwned: Provided identity doesn't belong to the resource. [request id: req-1]"
    );
    let e = service(418, Some("Teapot"));
    assert_eq!(e.error_code(), Some(&ErrorCode::Other("Teapot".into())));
    assert_eq!(service(500, None).error_code(), None);
}

#[test]
fn display_of_each_kind() {
    assert_eq!(
        service(500, None).to_string(),
        "500 Internal Server Error: no details [request id: req-1]"
    );
    for (kind, text) in [
        (ErrorKind::InvalidArgument, "invalid argument: m"),
        (ErrorKind::Configuration, "invalid configuration: m"),
        (ErrorKind::Service, "service error: m"),
        (ErrorKind::Transport, "transport error: m"),
        (ErrorKind::Timeout, "timed out: m"),
        (ErrorKind::InvalidResponse, "invalid response: m"),
        (ErrorKind::Credential, "credential error: m"),
    ] {
        assert_eq!(Error::new(kind, "m").to_string(), text);
    }
    let e =
        Error::new(ErrorKind::InvalidResponse, "m").with_response(200, &ResponseMeta::default());
    assert_eq!(e.to_string(), "invalid response (200): m");
}

#[test]
fn debug_shows_fields_and_a_clean_source() {
    let meta = ResponseMeta {
        status: 401,
        request_id: Some("r".into()),
        retry_after: None,
    };
    let e = Error::new(ErrorKind::Service, "")
        .with_response(401, &meta)
        .with_service_error(ServiceError::new(
            "ValidationError".into(),
            "bad".into(),
            Some("scopes".into()),
            Vec::new(),
            None,
        ))
        .with_source(Layer("Bearer eyJa.b.c sent", None));
    assert_eq!(
        format!("{e:?}"),
        "Error { kind: Service, message: \"bad\", status: 401, code: \"ValidationError\", \
         target: \"scopes\", request_id: \"r\", source: \"Bearer <redacted> sent\" }"
    );
    assert_eq!(e.target(), Some("scopes"));
    assert_eq!(e.request_id(), Some("r"));
    assert_eq!(
        e.to_string(),
        "401 ValidationError: bad (target: scopes) [request id: r]"
    );
}

#[test]
fn debug_of_a_configuration_error_does_not_repeat_its_message() {
    let e = Error::from(crate::ConnectionStringError::MissingEndpoint);
    assert_eq!(
        format!("{e:?}"),
        "Error { kind: Configuration, message: \"invalid connection string: it has no \
         `endpoint=` part; expected \
         `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64 key>`\" }"
    );
    // The typed cause is still the source.
    assert!(std::error::Error::source(&e).is_some());
    let e = Error::from(crate::EndpointError::Query);
    assert_eq!(format!("{e:?}").matches("has a query").count(), 1, "{e:?}");
    // A cause that adds to the message is shown.
    let e =
        Error::new(ErrorKind::Transport, "could not connect").with_source(Layer("refused", None));
    assert_eq!(
        format!("{e:?}"),
        "Error { kind: Transport, message: \"could not connect\", source: \"refused\" }"
    );
}

#[test]
fn attempts_are_shown_for_transient_failures() {
    let e = Error::new(
        ErrorKind::Transport,
        "could not connect to 127.0.0.1:9: tcp connect error: Connection refused",
    )
    .with_attempts(4);
    assert_eq!(e.attempts(), Some(4));
    assert_eq!(
        e.to_string(),
        "transport error: could not connect to 127.0.0.1:9: tcp connect error: Connection \
         refused [after 4 attempts]"
    );
    assert!(format!("{e:?}").contains("attempts: 4"), "{e:?}");
    assert_eq!(
        Error::new(ErrorKind::Timeout, "t")
            .with_attempts(1)
            .to_string(),
        "timed out: t [after 1 attempt]"
    );
    assert_eq!(
        service(503, None).with_attempts(2).to_string(),
        "503 Service Unavailable: no details [after 2 attempts] [request id: req-1]"
    );
    // Not for a failure that no retry could mend.
    let e = service(404, Some("IdentityNotFound")).with_attempts(1);
    assert_eq!(e.attempts(), Some(1));
    assert!(!e.to_string().contains("attempt"), "{e}");
    assert_eq!(Error::configuration("c").attempts(), None);
}

#[test]
fn a_hint_follows_the_message() {
    let e = service(401, Some("Denied")).with_hint("check the key");
    assert_eq!(e.hint(), Some("check the key"));
    assert_eq!(
        e.to_string(),
        "401 Denied: Provided identity doesn't belong to the resource. (hint: check the key) \
         [request id: req-1]"
    );
    assert!(
        format!("{e:?}").contains("hint: \"check the key\""),
        "{e:?}"
    );
    assert_eq!(service(401, Some("Denied")).hint(), None);
}
