#!/usr/bin/env python3
"""Convert the recorded sessions in this folder into one normalized fixture, normalized.json.

The recordings come in three formats:

* vcrpy YAML (Python SDK, Azure CLI): ``interactions: [{request, response}]``;
* test-proxy JSON (JS, .NET, newer Python): ``{"Entries": [...]}``;
* Java session records: ``{"networkCallRecords": [...]}`` (no request bodies recorded).

Each exchange becomes::

    {"method", "path", "query": {name: value}, "request_body_recorded": bool,
     "request_body": <JSON value or null>, "status": int,
     "response_headers": {lower-case name: value}, "response_body": "<raw text>"}

Only the response headers the replay test needs are kept (see KEPT_HEADERS). Output is
deterministic: files in sorted order, exchanges in recorded order, fixed JSON formatting. Each
file's sha256 is recorded too, so the replay test notices a recording changed after the last run.

Usage: python3 normalize.py            # rewrites normalized.json next to this script
       python3 normalize.py --check    # exits 1 if normalized.json is stale

Needs PyYAML (``pip install pyyaml``).
"""

import hashlib
import json
import pathlib
import sys
import urllib.parse

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("normalize.py needs PyYAML: pip install pyyaml")

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = "normalized.json"
NOT_RECORDINGS = {"manifest.json", OUTPUT, "normalize.py", "README.md"}
KEPT_HEADERS = (
    "content-type",
    "retry-after",
    "retry-after-ms",
    "x-ms-retry-after-ms",
    "x-ms-request-id",
    "request-id",
    "ms-cv",
    "x-ms-client-request-id",
)


def recording_files():
    files = []
    for p in HERE.rglob("*"):
        if not p.is_file():
            continue
        rel = p.relative_to(HERE).as_posix()
        if rel in NOT_RECORDINGS or p.suffix not in (".json", ".yaml", ".yml"):
            continue
        files.append(rel)
    return sorted(files)


def split_uri(uri):
    parts = urllib.parse.urlsplit(uri)
    query = {}
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if name in query:
            raise ValueError(f"repeated query parameter {name!r} in {uri}")
        query[name] = value
    return parts.path, query


def json_body(body):
    """A request body as a JSON value; None for no body."""
    if body is None:
        return None
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if isinstance(body, str):
        return json.loads(body) if body.strip() else None
    return body


def raw_text(body):
    """A response body as the raw text the service sent."""
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    if isinstance(body, str):
        return body
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def kept(headers):
    out = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower not in KEPT_HEADERS:
            continue
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out[lower] = str(value)
    return dict(sorted(out.items()))


def exchange(method, uri, body_recorded, body, status, headers, response_body):
    path, query = split_uri(uri)
    return {
        "method": method,
        "path": path,
        "query": query,
        "request_body_recorded": body_recorded,
        "request_body": json_body(body) if body_recorded else None,
        "status": int(status),
        "response_headers": kept(headers),
        "response_body": raw_text(response_body),
    }


def vcr(doc):
    for i in doc["interactions"]:
        req, resp = i["request"], i["response"]
        body = resp.get("body") or {}
        yield exchange(
            req["method"],
            req["uri"],
            True,
            req.get("body"),
            resp["status"]["code"],
            resp.get("headers") or {},
            body.get("string"),
        )


def test_proxy(doc):
    for e in doc["Entries"]:
        yield exchange(
            e["RequestMethod"],
            e["RequestUri"],
            True,
            e.get("RequestBody"),
            e["StatusCode"],
            e.get("ResponseHeaders") or {},
            e.get("ResponseBody"),
        )


def java(doc):
    for r in doc["networkCallRecords"]:
        resp = dict(r["Response"])
        status = resp.pop("StatusCode")
        body = resp.pop("Body", None)
        yield exchange(r["Method"], r["Uri"], False, None, status, resp, body)


def normalize_file(rel):
    raw = (HERE / rel).read_bytes()
    text = raw.decode("utf-8")
    if rel.endswith((".yaml", ".yml")):
        doc = yaml.safe_load(text)
        fmt, exchanges = "vcr", vcr(doc)
    else:
        doc = json.loads(text)
        if "Entries" in doc:
            fmt, exchanges = "test-proxy", test_proxy(doc)
        elif "networkCallRecords" in doc:
            fmt, exchanges = "java", java(doc)
        else:
            raise ValueError(f"{rel}: unknown recording format")
    return {
        "file": rel,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "format": fmt,
        "exchanges": list(exchanges),
    }


def render():
    fixture = {
        "generated_by": "tests/data/recordings/normalize.py",
        "recordings": [normalize_file(rel) for rel in recording_files()],
    }
    return json.dumps(fixture, ensure_ascii=False, indent=1) + "\n"


def main():
    text = render()
    out = HERE / OUTPUT
    if "--check" in sys.argv[1:]:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            sys.exit(f"{OUTPUT} is stale: run python3 normalize.py")
        return
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
