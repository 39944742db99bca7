"""The get_token workload of benches/throughput.rs with the Python SDK (azure-communication-identity).

Against the emulator of this crate (`acs-identity-emulator`), given its connection string:

- `sync`, concurrency 1: one synchronous client, requests one after the other;
- `threads`, concurrency N: one synchronous client shared by N threads (its requests session gets
  a connection pool of N, so that no connection is opened per request);
- `async`, concurrency N: one asynchronous client (aiohttp transport) and N coroutines.

For each: requests per second and client CPU per request (time.process_time(): user + system
time of this process, all threads). Prints a table on stderr and one JSON line on stdout.

    python get_token_bench.py --connection-string "endpoint=http://127.0.0.1:PORT/;accesskey=..." \
        --requests 1000 --concurrency 1,16
"""

import argparse
import asyncio
import json
import platform
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

from azure.communication.identity import CommunicationIdentityClient, CommunicationTokenScope

SCOPES = [CommunicationTokenScope.CHAT]


def measure(requests, concurrency, mode, fn):
    """Runs fn() (which returns the number of failures) and measures it."""
    cpu0, t0 = time.process_time(), time.perf_counter()
    failures = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {
        "mode": mode,
        "concurrency": concurrency,
        "requests": requests,
        "failures": failures,
        "wall_s": wall,
        "rps": requests / wall,
        "cpu_us_per_request": cpu * 1e6 / requests,
    }


def sync_client(connection_string, pool_size):
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
    from azure.core.pipeline.transport import RequestsTransport

    # What azure-core does for its own session, with a pool as large as the concurrency
    # (its default of 10 would reopen connections at concurrency 16).
    session = requests.Session()
    adapter = HTTPAdapter(
        pool_connections=pool_size,
        pool_maxsize=pool_size,
        max_retries=Retry(total=False, redirect=False, raise_on_status=False),
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    transport = RequestsTransport(session=session, session_owner=False)
    endpoint, key = endpoint_and_key(connection_string)
    return CommunicationIdentityClient(endpoint, key, transport=transport)


def endpoint_and_key(connection_string):
    """The endpoint (scheme kept) and access key of a connection string.

    The SDK's from_connection_string drops the endpoint's scheme and the constructor then
    prepends https://, so a plain-http emulator endpoint must go through the constructor, which
    keeps an endpoint that starts with http (its HMAC policy strips http:// for the Host it signs).
    """
    parts = dict(
        p.split("=", 1) for p in connection_string.strip().strip(";").split(";") if "=" in p
    )
    parts = {k.lower(): v for k, v in parts.items()}
    return parts["endpoint"].rstrip("/"), parts["accesskey"]


def run_sequential(client, user, n):
    failures = 0
    for _ in range(n):
        try:
            client.get_token(user, SCOPES)
        except Exception:  # noqa: BLE001 - counted, and reported
            failures += 1
    return failures


def run_threads(client, user, n, concurrency):
    lock = threading.Lock()
    remaining = [n]

    def worker():
        failures = 0
        while True:
            with lock:
                if remaining[0] == 0:
                    return failures
                remaining[0] -= 1
            try:
                client.get_token(user, SCOPES)
            except Exception:  # noqa: BLE001
                failures += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(worker) for _ in range(concurrency)]
        return sum(f.result() for f in futures)


def run_async(connection_string, user_id, n, concurrency, warmup):
    from azure.communication.identity import CommunicationUserIdentifier
    from azure.communication.identity.aio import (
        CommunicationIdentityClient as AsyncClient,
    )

    user = CommunicationUserIdentifier(user_id)

    async def load(client, total):
        remaining = [total]
        failures = [0]

        async def worker():
            while remaining[0] > 0:
                remaining[0] -= 1
                try:
                    await client.get_token(user, SCOPES)
                except Exception:  # noqa: BLE001
                    failures[0] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return failures[0]

    async def main():
        endpoint, key = endpoint_and_key(connection_string)
        async with AsyncClient(endpoint, key) as client:
            await load(client, warmup)
            cpu0, t0 = time.process_time(), time.perf_counter()
            failures = await load(client, n)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        return failures, wall, cpu

    failures, wall, cpu = asyncio.run(main())
    return {
        "mode": "async",
        "concurrency": concurrency,
        "requests": n,
        "failures": failures,
        "wall_s": wall,
        "rps": n / wall,
        "cpu_us_per_request": cpu * 1e6 / n,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connection-string", required=True)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--modes", default="sync,threads,async")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    modes = args.modes.split(",")
    n = args.requests
    warmup = min(100, n)

    client = sync_client(args.connection_string, max(levels))
    user = client.create_user()
    # Fails loudly if the emulator refuses the Python SDK's requests (signature, api-version).
    client.get_token(user, SCOPES)

    results = []
    for c in levels:
        if c == 1 and "sync" in modes:
            run_sequential(client, user, warmup)
            results.append(measure(n, 1, "sync", lambda: run_sequential(client, user, n)))
        if c > 1 and "threads" in modes:
            run_threads(client, user, warmup, c)
            results.append(measure(n, c, "threads", lambda c=c: run_threads(client, user, n, c)))
        if c > 1 and "async" in modes:
            try:
                results.append(run_async(args.connection_string, user.properties["id"], n, c, warmup))
            except ImportError as e:
                print(f"async mode skipped: {e}", file=sys.stderr)

    for r in results:
        print(
            f"python {r['mode']:<8} c={r['concurrency']:<3} {r['rps']:8.0f} req/s "
            f"{r['cpu_us_per_request']:8.1f} us CPU/request  failures {r['failures']}",
            file=sys.stderr,
        )
    if any(r["failures"] == r["requests"] for r in results):
        sys.exit("every request failed")

    def version(package):
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    print(
        json.dumps(
            {
                "python": platform.python_version(),
                "azure_communication_identity": version("azure-communication-identity"),
                "azure_core": version("azure-core"),
                "requests": version("requests"),
                "aiohttp": version("aiohttp"),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
