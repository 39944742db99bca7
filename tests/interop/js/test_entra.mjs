// Interop tests: Entra ID with the official JavaScript libraries against acs-identity-emulator,
// configured by environment variables only (set by ../run.sh): AZURE_AUTHORITY_HOST (the
// emulator's https endpoint), AZURE_TENANT_ID=adfs, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (any),
// NODE_EXTRA_CA_CERTS (its certificate).
//
// - DefaultAzureCredential (its EnvironmentCredential) gets a bearer token for the resource
//   from the emulator's OpenID Connect and token endpoints;
// - a Teams user signs in with MSAL's username and password flow (at the adfs authority, and at
//   a tenant id's v2.0 authority), and getTokenForTeamsUser exchanges the token, checked as the
//   service checks it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";
import { CommunicationIdentityClient } from "@azure/communication-identity";
import { PublicClientApplication } from "@azure/msal-node";

const authorityHost = (process.env.AZURE_AUTHORITY_HOST ?? "").replace(/\/$/, "");
const endpoint = process.env.ACS_EMULATOR_ENDPOINT;
const connectionString = process.env.ACS_EMULATOR_CONNECTION_STRING;
const teamsScopes = [
  "https://auth.msft.communication.azure.com/Teams.ManageCalls",
  "https://auth.msft.communication.azure.com/Teams.ManageChats",
];
const teamsApp = "0c5c1f64-5a1e-4e3f-9a53-6d7b4a2f0001";
const tenant = "8f2c7d4e-1a2b-4c3d-9e8f-0a1b2c3d4e5f";

if (!authorityHost || !endpoint || !process.env.AZURE_TENANT_ID) {
  throw new Error("AZURE_AUTHORITY_HOST, AZURE_TENANT_ID and ACS_EMULATOR_ENDPOINT must be set (run.sh)");
}

test("DefaultAzureCredential by environment variables only", async () => {
  const client = new CommunicationIdentityClient(endpoint, new DefaultAzureCredential());
  const user = await client.createUser();
  assert.match(user.communicationUserId, /^8:acs:/);
  const token = await client.getToken(user, ["chat"]);
  assert.equal(token.token.split(".").length, 3);
  await client.revokeTokens(user);
  const { user: user2, token: token2 } = await client.createUserAndToken(["voip"]);
  assert.ok(token2);
  await client.deleteUser(user);
  await client.deleteUser(user2);
});

test("a tenant id uses the v2.0 endpoints", async () => {
  const credential = new ClientSecretCredential(tenant, "another-client", "another-secret", {
    authorityHost,
    disableInstanceDiscovery: true,
  });
  const client = new CommunicationIdentityClient(endpoint, credential);
  await client.deleteUser(await client.createUser());
});

test("another scope is refused", async () => {
  await assert.rejects(new DefaultAzureCredential().getToken("https://vault.azure.net/.default"));
});

/** A Teams user's Entra ID token from MSAL's username and password flow at `authority`. */
async function signIn(username, authority = `${authorityHost}/adfs`) {
  const app = new PublicClientApplication({
    auth: { clientId: teamsApp, authority, knownAuthorities: [new URL(authorityHost).host] },
  });
  const result = await app.acquireTokenByUsernamePassword({
    username,
    password: "any password",
    scopes: teamsScopes,
  });
  return { aadToken: result.accessToken, userObjectId: result.uniqueId, tenantId: result.tenantId };
}

test("getTokenForTeamsUser", async () => {
  const { aadToken, userObjectId } = await signIn("alice@contoso.com");
  const client = new CommunicationIdentityClient(connectionString);
  const token = await client.getTokenForTeamsUser({ teamsUserAadToken: aadToken, clientId: teamsApp, userObjectId });
  assert.equal(token.token.split(".").length, 3);
  assert.ok(token.expiresOn > new Date());
});

test("getTokenForTeamsUser with a user of a tenant id's v2.0 authority", async () => {
  const { aadToken, userObjectId, tenantId } = await signIn("dave@contoso.com", `${authorityHost}/${tenant}`);
  assert.equal(tenantId, tenant);
  const client = new CommunicationIdentityClient(connectionString);
  const token = await client.getTokenForTeamsUser({ teamsUserAadToken: aadToken, clientId: teamsApp, userObjectId });
  assert.ok(token.token);
});

for (const [name, status, args] of [
  ["a wrong client id", 400, (t, u) => ({ teamsUserAadToken: t, clientId: u, userObjectId: u })],
  ["a wrong user id", 400, (t) => ({ teamsUserAadToken: t, clientId: teamsApp, userObjectId: teamsApp })],
  ["an empty client id", 400, (t, u) => ({ teamsUserAadToken: t, clientId: "", userObjectId: u })],
  // The token is checked first: 401 although the user id is missing too.
  ["an invalid token and an empty user id", 401, () => ({ teamsUserAadToken: "not a token", clientId: teamsApp, userObjectId: "" })],
]) {
  test(`getTokenForTeamsUser with ${name} is ${status}`, async () => {
    const { aadToken, userObjectId } = await signIn("carol@contoso.com");
    const client = new CommunicationIdentityClient(connectionString);
    await assert.rejects(client.getTokenForTeamsUser(args(aadToken, userObjectId)), (e) => e.statusCode === status);
  });
}
