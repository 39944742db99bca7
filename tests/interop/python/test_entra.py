"""Interop tests: Entra ID with the official Python libraries against acs-identity-emulator,
configured by environment variables only (set by ../run.sh):

    AZURE_AUTHORITY_HOST  the emulator's https endpoint
    AZURE_TENANT_ID       adfs (the credential libraries skip instance discovery for it)
    AZURE_CLIENT_ID       any client id
    AZURE_CLIENT_SECRET   any secret
    REQUESTS_CA_BUNDLE    the emulator's certificate (requests: azure-identity, MSAL)
    SSL_CERT_FILE         the same (aiohttp: the async clients)

- DefaultAzureCredential (its EnvironmentCredential) asks the emulator's OpenID Connect and
  token endpoints for a token of https://communication.azure.com//.default, which the
  Communication Services client sends as bearer;
- a Teams user signs in with MSAL's username and password flow; get_token_for_teams_user
  exchanges that token, with the service's checks (app id, user id, and the token first).
"""

import asyncio
import os

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential, DefaultAzureCredential
from azure.identity.aio import DefaultAzureCredential as AsyncDefaultAzureCredential
from azure.communication.identity import (
    CommunicationIdentityClient,
    CommunicationTokenScope,
)
from azure.communication.identity.aio import (
    CommunicationIdentityClient as AsyncCommunicationIdentityClient,
)
import msal

AUTHORITY_HOST = os.environ.get("AZURE_AUTHORITY_HOST", "").rstrip("/")
ENDPOINT = os.environ.get("ACS_EMULATOR_ENDPOINT")
TEAMS_SCOPES = [
    "https://auth.msft.communication.azure.com/Teams.ManageCalls",
    "https://auth.msft.communication.azure.com/Teams.ManageChats",
]
TEAMS_APP = "0c5c1f64-5a1e-4e3f-9a53-6d7b4a2f0001"
TENANT = "8f2c7d4e-1a2b-4c3d-9e8f-0a1b2c3d4e5f"

if not (AUTHORITY_HOST and ENDPOINT and os.environ.get("AZURE_TENANT_ID")):
    _why = "AZURE_AUTHORITY_HOST, AZURE_TENANT_ID and ACS_EMULATOR_ENDPOINT must be set (run.sh)"
    if os.environ.get("ACS_INTEROP_REQUIRED"):
        raise RuntimeError(_why)
    pytest.skip(_why, allow_module_level=True)


def test_default_credential_by_environment_variables_only():
    client = CommunicationIdentityClient(ENDPOINT, DefaultAzureCredential())
    user = client.create_user()
    assert user.properties["id"].startswith("8:acs:")
    token = client.get_token(user, [CommunicationTokenScope.CHAT])
    assert token.token.count(".") == 2
    client.revoke_tokens(user)
    user2, token2 = client.create_user_and_token([CommunicationTokenScope.VOIP])
    assert token2.token
    client.delete_user(user)
    client.delete_user(user2)


def test_default_credential_async():
    async def run():
        credential = AsyncDefaultAzureCredential()
        async with credential, AsyncCommunicationIdentityClient(ENDPOINT, credential) as client:
            user, token = await client.create_user_and_token([CommunicationTokenScope.CHAT])
            assert token.token
            await client.revoke_tokens(user)
            await client.delete_user(user)

    asyncio.run(run())


def test_a_tenant_id_uses_the_v2_endpoints():
    # A GUID tenant: instance discovery would ask the public cloud, so it is turned off here.
    credential = ClientSecretCredential(
        TENANT,
        "another-client",
        "another-secret",
        authority=AUTHORITY_HOST,
        disable_instance_discovery=True,
    )
    token = credential.get_token("https://communication.azure.com//.default")
    assert token.expires_on > 0
    client = CommunicationIdentityClient(ENDPOINT, credential)
    client.delete_user(client.create_user())


def test_another_scope_is_refused():
    credential = DefaultAzureCredential()
    with pytest.raises(ClientAuthenticationError) as error:
        credential.get_token("https://vault.azure.net/.default")
    assert "invalid_scope" in str(error.value) or "scope" in str(error.value)


def sign_in(username):
    """A Teams user's Entra ID token, as Microsoft's own tests get one: MSAL's username and
    password flow (here at the adfs authority of AZURE_AUTHORITY_HOST)."""
    app = msal.PublicClientApplication(TEAMS_APP, authority=f"{AUTHORITY_HOST}/adfs")
    result = app.acquire_token_by_username_password(username, "any password", scopes=TEAMS_SCOPES)
    assert "access_token" in result, result
    return result["access_token"], result["id_token_claims"]["oid"]


def test_get_token_for_teams_user():
    aad_token, user_object_id = sign_in("alice@contoso.com")
    client = CommunicationIdentityClient.from_connection_string(
        os.environ["ACS_EMULATOR_CONNECTION_STRING"]
    )
    token = client.get_token_for_teams_user(aad_token, TEAMS_APP, user_object_id)
    assert token.token.count(".") == 2
    # The same user name signs in as the same user.
    _, again = sign_in("alice@contoso.com")
    assert again == user_object_id


def test_get_token_for_teams_user_async():
    aad_token, user_object_id = sign_in("bob@contoso.com")

    async def run():
        async with AsyncCommunicationIdentityClient.from_connection_string(
            os.environ["ACS_EMULATOR_CONNECTION_STRING"]
        ) as client:
            return await client.get_token_for_teams_user(aad_token, TEAMS_APP, user_object_id)

    assert asyncio.run(run()).token


@pytest.mark.parametrize(
    "case, status",
    [("wrong_client_id", 400), ("wrong_user_id", 400), ("empty_client_id", 400), ("invalid_token_empty_user", 401)],
)
def test_get_token_for_teams_user_is_checked_as_the_service_checks(case, status):
    aad_token, user_object_id = sign_in("carol@contoso.com")
    args = {
        "wrong_client_id": (aad_token, user_object_id, user_object_id),
        "wrong_user_id": (aad_token, TEAMS_APP, TEAMS_APP),
        "empty_client_id": (aad_token, "", user_object_id),
        # The token is checked first: 401 although the user id is missing too.
        "invalid_token_empty_user": ("not a token", TEAMS_APP, ""),
    }[case]
    client = CommunicationIdentityClient.from_connection_string(
        os.environ["ACS_EMULATOR_CONNECTION_STRING"]
    )
    with pytest.raises(HttpResponseError) as error:
        client.get_token_for_teams_user(*args)
    assert error.value.status_code == status
