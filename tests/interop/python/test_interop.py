"""Interop tests: the official Python SDK (azure-communication-identity) against
acs-identity-emulator served over HTTPS.

The emulator's connection string, endpoint and certificate come from the environment (see
../run.sh, which starts the emulator and sets them):

    ACS_EMULATOR_CONNECTION_STRING  endpoint=https://127.0.0.1:N/;accesskey=...
    ACS_EMULATOR_ENDPOINT           https://127.0.0.1:N/
    ACS_EMULATOR_CERT               PEM file of the emulator's certificate (trusted as the CA)

Every client test runs twice: with the sync client (requests transport) and with the async
client (aiohttp transport), through an adapter that drives the async client on its own event
loop.
"""

import asyncio
import base64
import json
import os
import re
import secrets
import ssl
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)
from azure.communication.identity import (
    CommunicationIdentityClient,
    CommunicationTokenScope,
    CommunicationUserIdentifier,
)
from azure.communication.identity.aio import (
    CommunicationIdentityClient as AsyncCommunicationIdentityClient,
)

# --- The emulator's Entra ID token endpoint (see emulator/README.md). -----------------------
ENTRA_TOKEN_METHOD = "POST"
ENTRA_TOKEN_PATH = "emulator/entra/token"  # relative to the endpoint


def entra_token_request_body(scopes):
    """The JSON body sent to the token endpoint (None: no body)."""
    return {"scopes": list(scopes)}


ENTRA_TOKEN_FIELD = "access_token"  # the token, in the JSON answer
ENTRA_EXPIRES_ON_FIELD = "expires_on"  # its expiry, in Unix seconds
# ---------------------------------------------------------------------------------------------

# The scope both SDKs ask a token credential for (with its double slash).
COMMUNICATION_SCOPE = "https://communication.azure.com//.default"

ALL_SCOPES = ["chat", "voip", "chat.join", "chat.join.limited", "voip.join"]

EXPIRY_59_MESSAGE = (
    "ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval."
)
NOT_OWNED_MESSAGE = "Provided identity doesn't belong to the resource."

# Slack allowed between an expected expiry and the one the emulator reports.
EXPIRY_TOLERANCE = timedelta(minutes=2)

CONNECTION_STRING = os.environ.get("ACS_EMULATOR_CONNECTION_STRING")
ENDPOINT = os.environ.get("ACS_EMULATOR_ENDPOINT")
CERT = os.environ.get("ACS_EMULATOR_CERT")

if not (CONNECTION_STRING and ENDPOINT and CERT):
    _why = (
        "ACS_EMULATOR_CONNECTION_STRING, ACS_EMULATOR_ENDPOINT and ACS_EMULATOR_CERT must be "
        "set (tests/interop/run.sh starts the emulator and sets them)"
    )
    if os.environ.get("ACS_INTEROP_REQUIRED"):
        raise RuntimeError(_why)
    pytest.skip(_why, allow_module_level=True)

if not ENDPOINT.endswith("/"):
    ENDPOINT += "/"


# --- helpers ----------------------------------------------------------------------------------


def fetch_entra_token(scopes):
    """Asks the emulator's token endpoint for an Entra ID-like token: (token, expires_on)."""
    body = entra_token_request_body(scopes)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        ENDPOINT + ENTRA_TOKEN_PATH, data=data, method=ENTRA_TOKEN_METHOD
    )
    if data is not None:
        request.add_header("Content-Type", "application/json")
    context = ssl.create_default_context(cafile=CERT)
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        answer = json.load(response)
    return answer[ENTRA_TOKEN_FIELD], int(answer[ENTRA_EXPIRES_ON_FIELD])


class EmulatorTokenCredential:
    """A TokenCredential (azure.core.credentials) backed by the emulator's token endpoint."""

    def __init__(self):
        self.requested_scopes = []

    def get_token(self, *scopes, **kwargs):
        self.requested_scopes.append(scopes)
        token, expires_on = fetch_entra_token(scopes)
        return AccessToken(token, expires_on)


class AsyncEmulatorTokenCredential:
    """An AsyncTokenCredential (azure.core.credentials_async) backed by the token endpoint."""

    def __init__(self):
        self.requested_scopes = []

    async def get_token(self, *scopes, **kwargs):
        self.requested_scopes.append(scopes)
        token, expires_on = await asyncio.to_thread(fetch_entra_token, scopes)
        return AccessToken(token, expires_on)

    async def close(self):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args):
        pass


class StaticTokenCredential:
    """A credential that always hands out the same (invalid) token."""

    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self._token, int(time.time()) + 3600)


class AsyncStaticTokenCredential(StaticTokenCredential):
    async def get_token(self, *scopes, **kwargs):
        return StaticTokenCredential.get_token(self, *scopes, **kwargs)

    async def close(self):
        pass


class AsyncClientAdapter:
    """The async client behind the sync client's method names, on a private event loop."""

    def __init__(self, loop, client):
        self._loop = loop
        self._client = client

    def __getattr__(self, name):
        method = getattr(self._client, name)

        def call(*args, **kwargs):
            return self._loop.run_until_complete(method(*args, **kwargs))

        return call


class ClientFactory:
    """Makes sync or async clients that all trust the emulator's certificate."""

    def __init__(self, kind):
        self.kind = kind
        self._closers = []
        self._loop = asyncio.new_event_loop() if kind == "async" else None

    def from_connection_string(self, connection_string=CONNECTION_STRING):
        if self.kind == "sync":
            client = CommunicationIdentityClient.from_connection_string(
                connection_string, connection_verify=CERT
            )
            return self._keep(client)

        async def make():
            return AsyncCommunicationIdentityClient.from_connection_string(
                connection_string, connection_verify=CERT
            )

        return self._keep_async(self._loop.run_until_complete(make()))

    def with_credential(self, credential, endpoint=ENDPOINT):
        if self.kind == "sync":
            return self._keep(
                CommunicationIdentityClient(endpoint, credential, connection_verify=CERT)
            )

        async def make():
            return AsyncCommunicationIdentityClient(
                endpoint, credential, connection_verify=CERT
            )

        return self._keep_async(self._loop.run_until_complete(make()))

    def token_credential(self):
        if self.kind == "sync":
            return EmulatorTokenCredential()
        return AsyncEmulatorTokenCredential()

    def static_credential(self, token):
        if self.kind == "sync":
            return StaticTokenCredential(token)
        return AsyncStaticTokenCredential(token)

    def _keep(self, client):
        # The sync client has no close() of its own (1.5.0): close the pipeline it wraps.
        close = getattr(client, "close", None) or client._identity_service_client.close
        self._closers.append(close)
        return client

    def _keep_async(self, client):
        self._closers.append(lambda: self._loop.run_until_complete(client.close()))
        return AsyncClientAdapter(self._loop, client)

    def close(self):
        for close in reversed(self._closers):
            close()
        if self._loop is not None:
            self._loop.close()


@pytest.fixture(params=["sync", "async"])
def clients(request):
    factory = ClientFactory(request.param)
    yield factory
    factory.close()


@pytest.fixture
def client(clients):
    return clients.from_connection_string()


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def resource_of(user):
    """The resource id in `8:acs:<resource id>_<user>`."""
    return user.properties["id"][len("8:acs:") :].split("_", 1)[0]


def assert_user(user):
    assert isinstance(user, CommunicationUserIdentifier)
    assert user.properties["id"].startswith("8:acs:")
    assert user.raw_id == user.properties["id"]


# The service's `expiresOn`, e.g. 2026-11-28T18:00:00.1234567+00:00.
SERVICE_TIME = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,7}))?(Z|[+-]\d\d:\d\d)$"
)


def parse_service_time(text):
    match = SERVICE_TIME.match(text)
    assert match, f"expiresOn {text!r} is not in the service's format"
    whole, fraction, zone = match.groups()
    fraction = (fraction or "0")[:6].ljust(6, "0")
    zone = "+00:00" if zone == "Z" else zone
    return datetime.fromisoformat(f"{whole}.{fraction}{zone}")


def assert_token(token, user, expires_in, scopes=None):
    """`token` is the SDK's AccessToken. Its expires_on is the service's `expiresOn` text as
    received (the 1.5.0 models type it as str; they do not parse it)."""
    assert isinstance(token, AccessToken)
    assert token.token.count(".") == 2
    assert isinstance(token.expires_on, str), type(token.expires_on)
    expires_on = parse_service_time(token.expires_on)
    expected = datetime.now(timezone.utc) + expires_in
    assert abs(expires_on - expected) < EXPIRY_TOLERANCE, token.expires_on
    claims = jwt_claims(token.token)
    assert claims["skypeid"] == user.properties["id"][len("8:") :]
    assert abs(claims["exp"] - expires_on.timestamp()) <= 1
    if scopes is not None:
        assert claims["acsScope"].split(",") == scopes


def other_resource_user(own_resource):
    resource = "00000000-0000-0000-0000-000000000000"
    if own_resource == resource:
        resource = "11111111-1111-1111-1111-111111111111"
    return CommunicationUserIdentifier(f"8:acs:{resource}_00000000-0000-0000-0000-000000000000")


def assert_validation_error(exc, message, target):
    assert type(exc) is HttpResponseError
    assert exc.status_code == 400
    assert exc.error.code == "ValidationError"
    assert exc.error.message == message
    assert exc.error.target == target
    assert message in exc.message


# --- identities and tokens ---------------------------------------------------------------------


def test_create_user(client):
    user = client.create_user()
    assert_user(user)
    assert client.create_user().properties["id"] != user.properties["id"]


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_get_token_for_each_scope(client, scope):
    user = client.create_user()
    token = client.get_token(user, [scope])
    assert_token(token, user, timedelta(hours=24), [scope])


def test_get_token_with_scope_enum_and_every_scope(client):
    user = client.create_user()
    scopes = [CommunicationTokenScope(s) for s in ALL_SCOPES]
    token = client.get_token(user, scopes)
    assert_token(token, user, timedelta(hours=24), ALL_SCOPES)


@pytest.mark.parametrize(
    "expires_in", [timedelta(minutes=60), timedelta(hours=24)], ids=["60min", "24h"]
)
def test_get_token_with_custom_expiry(client, expires_in):
    user = client.create_user()
    token = client.get_token(
        user, [CommunicationTokenScope.CHAT], token_expires_in=expires_in
    )
    assert_token(token, user, expires_in, ["chat"])


def test_create_user_and_token(client):
    user, token = client.create_user_and_token(
        [CommunicationTokenScope.CHAT, CommunicationTokenScope.VOIP]
    )
    assert_user(user)
    assert_token(token, user, timedelta(hours=24), ["chat", "voip"])


@pytest.mark.parametrize(
    "expires_in", [timedelta(minutes=60), timedelta(hours=24)], ids=["60min", "24h"]
)
def test_create_user_and_token_with_custom_expiry(client, expires_in):
    user, token = client.create_user_and_token(
        [CommunicationTokenScope.VOIP_JOIN], token_expires_in=expires_in
    )
    assert_user(user)
    assert_token(token, user, expires_in, ["voip.join"])


def test_revoke_tokens(client):
    user = client.create_user()
    client.get_token(user, ["chat"])
    assert client.revoke_tokens(user) is None
    # The identity stays usable: a new token can be issued after a revocation.
    assert_token(client.get_token(user, ["chat"]), user, timedelta(hours=24), ["chat"])


def test_delete_user(client):
    user = client.create_user()
    assert client.delete_user(user) is None


# --- errors -----------------------------------------------------------------------------------


def test_expiry_of_59_minutes_is_a_validation_error(client):
    user = client.create_user()
    with pytest.raises(HttpResponseError) as caught:
        client.get_token(user, ["chat"], token_expires_in=timedelta(minutes=59))
    assert_validation_error(caught.value, EXPIRY_59_MESSAGE, "ExpiresInMinutes")


def test_expiry_of_59_minutes_on_create_user_and_token(client):
    with pytest.raises(HttpResponseError) as caught:
        client.create_user_and_token(["chat"], token_expires_in=timedelta(minutes=59))
    assert_validation_error(caught.value, EXPIRY_59_MESSAGE, "ExpiresInMinutes")


def test_expiry_over_24_hours_is_a_validation_error(client):
    user = client.create_user()
    with pytest.raises(HttpResponseError) as caught:
        client.get_token(user, ["chat"], token_expires_in=timedelta(minutes=1441))
    assert_validation_error(
        caught.value,
        "ExpiresInMinutes value 1441 is invalid. Value must be within the [60, 1440] interval.",
        "ExpiresInMinutes",
    )


@pytest.mark.parametrize("operation", ["get_token", "revoke_tokens", "delete_user"])
def test_identity_of_another_resource_is_not_owned(client, operation):
    stranger = other_resource_user(resource_of(client.create_user()))
    args = (stranger, ["chat"]) if operation == "get_token" else (stranger,)
    with pytest.raises(ClientAuthenticationError) as caught:
        getattr(client, operation)(*args)
    exc = caught.value
    assert exc.status_code == 401
    assert exc.error.code == "IdentityNotOwned"
    assert exc.error.message == NOT_OWNED_MESSAGE
    assert NOT_OWNED_MESSAGE in exc.message


def test_wrong_access_key_is_denied(clients):
    wrong_key = base64.b64encode(secrets.token_bytes(32)).decode()
    endpoint = CONNECTION_STRING.split(";")[0]
    client = clients.from_connection_string(f"{endpoint};accesskey={wrong_key}")
    with pytest.raises(ClientAuthenticationError) as caught:
        client.create_user()
    exc = caught.value
    assert exc.status_code == 401
    assert exc.error.code == "Denied"


def test_deleted_user_cannot_get_a_token(client):
    user = client.create_user()
    client.delete_user(user)
    with pytest.raises(ResourceNotFoundError) as caught:
        client.get_token(user, ["chat"])
    exc = caught.value
    assert isinstance(exc, HttpResponseError)
    assert exc.status_code == 404
    assert exc.error.code == "IdentityNotFound"


# --- Entra ID bearer tokens ---------------------------------------------------------------------


def test_bearer_token_credential(clients):
    credential = clients.token_credential()
    client = clients.with_credential(credential)
    user = client.create_user()
    assert_user(user)
    assert_token(client.get_token(user, ["voip"]), user, timedelta(hours=24), ["voip"])
    other, token = client.create_user_and_token(["chat"], token_expires_in=timedelta(hours=1))
    assert_token(token, other, timedelta(hours=1), ["chat"])
    client.revoke_tokens(user)
    client.delete_user(user)
    assert credential.requested_scopes, "the SDK never asked the credential for a token"
    assert all(scopes == (COMMUNICATION_SCOPE,) for scopes in credential.requested_scopes)


def test_bearer_token_endpoint_without_trailing_slash(clients):
    client = clients.with_credential(clients.token_credential(), ENDPOINT.rstrip("/"))
    assert_user(client.create_user())


def test_invalid_bearer_token_is_denied(clients):
    client = clients.with_credential(clients.static_credential("not-a-token"))
    with pytest.raises(ClientAuthenticationError) as caught:
        client.create_user()
    assert caught.value.status_code == 401


def test_http_scheme_in_connection_string_is_sent_over_https(clients):
    # from_connection_string keeps only the host of the endpoint and puts https:// before it.
    endpoint, key = CONNECTION_STRING.split(";", 1)
    http = endpoint.replace("endpoint=https://", "endpoint=http://", 1)
    assert http != endpoint
    client = clients.from_connection_string(f"{http};{key}")
    assert_user(client.create_user())
