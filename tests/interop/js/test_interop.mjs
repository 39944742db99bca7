// Interop tests: the official JavaScript SDK (@azure/communication-identity) against
// acs-identity-emulator served over HTTPS.
//
// The emulator's connection string, endpoint and certificate come from the environment (see
// ../run.sh, which starts the emulator and sets them):
//   ACS_EMULATOR_CONNECTION_STRING  endpoint=https://127.0.0.1:N/;accesskey=...
//   ACS_EMULATOR_ENDPOINT           https://127.0.0.1:N/
//   ACS_EMULATOR_CERT               PEM file of the emulator's certificate
// Node must trust the certificate through NODE_EXTRA_CA_CERTS, read when node starts: run.sh
// sets it to ACS_EMULATOR_CERT (the SDK and fetch both use Node's default CA store).

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { CommunicationIdentityClient } from "@azure/communication-identity";

// --- The emulator's Entra ID token endpoint (see emulator/README.md). -------------------------
const ENTRA_TOKEN_METHOD = "POST";
const ENTRA_TOKEN_PATH = "emulator/entra/token"; // relative to the endpoint
const entraTokenRequestBody = (scopes) => ({ scopes }); // the JSON body sent (null: none)
const ENTRA_TOKEN_FIELD = "access_token"; // the token, in the JSON answer
const ENTRA_EXPIRES_ON_FIELD = "expires_on"; // its expiry, in Unix seconds
// ------------------------------------------------------------------------------------------------

// The scope both SDKs ask a token credential for (with its double slash).
const COMMUNICATION_SCOPE = "https://communication.azure.com//.default";
const ALL_SCOPES = ["chat", "voip", "chat.join", "chat.join.limited", "voip.join"];
const EXPIRY_59_MESSAGE =
  "ExpiresInMinutes value 59 is invalid. Value must be within the [60, 1440] interval.";
const NOT_OWNED_MESSAGE = "Provided identity doesn't belong to the resource.";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const EXPIRY_TOLERANCE = 2 * MINUTE;

const CONNECTION_STRING = process.env.ACS_EMULATOR_CONNECTION_STRING;
let ENDPOINT = process.env.ACS_EMULATOR_ENDPOINT;
const CERT = process.env.ACS_EMULATOR_CERT;
if (!CONNECTION_STRING || !ENDPOINT || !CERT) {
  throw new Error(
    "ACS_EMULATOR_CONNECTION_STRING, ACS_EMULATOR_ENDPOINT and ACS_EMULATOR_CERT must be set " +
      "(tests/interop/run.sh starts the emulator and sets them)",
  );
}
if (!ENDPOINT.endsWith("/")) ENDPOINT += "/";

const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
if (!extraCaCerts || realpathSync(extraCaCerts) !== realpathSync(CERT)) {
  throw new Error(
    `NODE_EXTRA_CA_CERTS must be the emulator's certificate ${CERT} (it is ${extraCaCerts}): ` +
      "node reads it only at start-up",
  );
}

// No TLS options: the emulator's certificate is trusted through NODE_EXTRA_CA_CERTS.
const clientOptions = {};

function connectionStringClient(connectionString = CONNECTION_STRING) {
  return new CommunicationIdentityClient(connectionString, clientOptions);
}

async function fetchEntraToken(scopes) {
  const body = entraTokenRequestBody(scopes);
  const init = { method: ENTRA_TOKEN_METHOD };
  if (body !== null) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  // fetch (undici) trusts NODE_EXTRA_CA_CERTS as well.
  const response = await fetch(ENDPOINT + ENTRA_TOKEN_PATH, init);
  assert.equal(response.ok, true, `token endpoint answered ${response.status}`);
  const answer = await response.json();
  return { token: answer[ENTRA_TOKEN_FIELD], expiresOn: Number(answer[ENTRA_EXPIRES_ON_FIELD]) };
}

/** A TokenCredential (@azure/core-auth) backed by the emulator's token endpoint. */
class EmulatorTokenCredential {
  requestedScopes = [];

  async getToken(scopes, _options) {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    this.requestedScopes.push(list);
    const { token, expiresOn } = await fetchEntraToken(list);
    return { token, expiresOnTimestamp: expiresOn * 1000 };
  }
}

function jwtClaims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

function resourceOf(user) {
  return user.communicationUserId.slice("8:acs:".length).split("_")[0];
}

function otherResourceUser(ownResource) {
  let resource = "00000000-0000-0000-0000-000000000000";
  if (ownResource === resource) resource = "11111111-1111-1111-1111-111111111111";
  return { communicationUserId: `8:acs:${resource}_00000000-0000-0000-0000-000000000000` };
}

function assertUser(user) {
  assert.equal(typeof user.communicationUserId, "string");
  assert.match(user.communicationUserId, /^8:acs:[^_]+_.+/);
}

/** `token` is the SDK's CommunicationAccessToken: `expiresOn` is a Date it parsed. */
function assertToken(token, user, expiresInMs, scopes) {
  assert.equal(typeof token.token, "string");
  assert.equal(token.token.split(".").length, 3);
  assert.ok(token.expiresOn instanceof Date, `expiresOn is ${typeof token.expiresOn}`);
  assert.ok(!Number.isNaN(token.expiresOn.getTime()), "expiresOn is an invalid Date");
  const off = Math.abs(token.expiresOn.getTime() - (Date.now() + expiresInMs));
  assert.ok(off < EXPIRY_TOLERANCE, `expiresOn ${token.expiresOn.toISOString()} is ${off} ms off`);
  const claims = jwtClaims(token.token);
  assert.equal(claims.skypeid, user.communicationUserId.slice("8:".length));
  assert.ok(Math.abs(claims.exp * 1000 - token.expiresOn.getTime()) <= 1000);
  if (scopes) assert.deepEqual(claims.acsScope.split(","), scopes);
}

/** Checks a RestError (@azure/core-rest-pipeline) from the service. */
function restError(statusCode, code, message) {
  return (error) => {
    assert.equal(error.name, "RestError", String(error));
    assert.equal(error.statusCode, statusCode);
    if (code !== undefined) assert.equal(error.code, code);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  };
}

describe("identities and tokens", () => {
  const client = connectionStringClient();

  test("createUser", async () => {
    const user = await client.createUser();
    assertUser(user);
    assert.notEqual((await client.createUser()).communicationUserId, user.communicationUserId);
  });

  for (const scope of ALL_SCOPES) {
    test(`getToken with scope ${scope}`, async () => {
      const user = await client.createUser();
      assertToken(await client.getToken(user, [scope]), user, 24 * HOUR, [scope]);
    });
  }

  test("getToken with every scope", async () => {
    const user = await client.createUser();
    assertToken(await client.getToken(user, ALL_SCOPES), user, 24 * HOUR, ALL_SCOPES);
  });

  for (const minutes of [60, 1440]) {
    test(`getToken expiring in ${minutes} minutes`, async () => {
      const user = await client.createUser();
      const token = await client.getToken(user, ["chat"], { tokenExpiresInMinutes: minutes });
      assertToken(token, user, minutes * MINUTE, ["chat"]);
    });
  }

  test("createUserAndToken", async () => {
    const { user, ...token } = await client.createUserAndToken(["chat", "voip"]);
    assertUser(user);
    assertToken(token, user, 24 * HOUR, ["chat", "voip"]);
  });

  for (const minutes of [60, 1440]) {
    test(`createUserAndToken expiring in ${minutes} minutes`, async () => {
      const { user, ...token } = await client.createUserAndToken(["voip.join"], {
        tokenExpiresInMinutes: minutes,
      });
      assertUser(user);
      assertToken(token, user, minutes * MINUTE, ["voip.join"]);
    });
  }

  test("revokeTokens", async () => {
    const user = await client.createUser();
    await client.getToken(user, ["chat"]);
    assert.equal(await client.revokeTokens(user), undefined);
    // The identity stays usable: a new token can be issued after a revocation.
    assertToken(await client.getToken(user, ["chat"]), user, 24 * HOUR, ["chat"]);
  });

  test("deleteUser", async () => {
    const user = await client.createUser();
    assert.equal(await client.deleteUser(user), undefined);
  });
});

describe("errors", () => {
  const client = connectionStringClient();

  test("an expiry of 59 minutes is a ValidationError (getToken)", async () => {
    const user = await client.createUser();
    await assert.rejects(
      client.getToken(user, ["chat"], { tokenExpiresInMinutes: 59 }),
      restError(400, "ValidationError", EXPIRY_59_MESSAGE),
    );
  });

  test("an expiry of 59 minutes is a ValidationError (createUserAndToken)", async () => {
    await assert.rejects(
      client.createUserAndToken(["chat"], { tokenExpiresInMinutes: 59 }),
      restError(400, "ValidationError", EXPIRY_59_MESSAGE),
    );
  });

  test("an expiry over 24 hours is a ValidationError", async () => {
    const user = await client.createUser();
    await assert.rejects(
      client.getToken(user, ["chat"], { tokenExpiresInMinutes: 1441 }),
      restError(
        400,
        "ValidationError",
        "ExpiresInMinutes value 1441 is invalid. Value must be within the [60, 1440] interval.",
      ),
    );
  });

  for (const operation of ["getToken", "revokeTokens", "deleteUser"]) {
    test(`${operation} on an identity of another resource: IdentityNotOwned`, async () => {
      const stranger = otherResourceUser(resourceOf(await client.createUser()));
      const args = operation === "getToken" ? [stranger, ["chat"]] : [stranger];
      await assert.rejects(
        client[operation](...args),
        restError(401, "IdentityNotOwned", NOT_OWNED_MESSAGE),
      );
    });
  }

  test("a wrong access key is denied", async () => {
    const endpoint = CONNECTION_STRING.split(";")[0];
    const wrongKey = randomBytes(32).toString("base64");
    const wrong = connectionStringClient(`${endpoint};accesskey=${wrongKey}`);
    await assert.rejects(wrong.createUser(), restError(401, "Denied"));
  });

  test("a deleted user cannot get a token", async () => {
    const user = await client.createUser();
    await client.deleteUser(user);
    await assert.rejects(
      client.getToken(user, ["chat"]),
      restError(404, "IdentityNotFound"),
    );
  });
});

describe("Entra ID bearer tokens", () => {
  test("a token credential authorizes every operation", async () => {
    const credential = new EmulatorTokenCredential();
    const client = new CommunicationIdentityClient(ENDPOINT, credential, clientOptions);
    const user = await client.createUser();
    assertUser(user);
    assertToken(await client.getToken(user, ["voip"]), user, 24 * HOUR, ["voip"]);
    const { user: other, ...token } = await client.createUserAndToken(["chat"], {
      tokenExpiresInMinutes: 60,
    });
    assertToken(token, other, HOUR, ["chat"]);
    await client.revokeTokens(user);
    await client.deleteUser(user);
    assert.ok(credential.requestedScopes.length > 0, "the SDK never asked for a token");
    for (const scopes of credential.requestedScopes) {
      assert.deepEqual(scopes, [COMMUNICATION_SCOPE]);
    }
  });

  test("an endpoint without its trailing slash", async () => {
    const client = new CommunicationIdentityClient(
      ENDPOINT.replace(/\/$/, ""),
      new EmulatorTokenCredential(),
      clientOptions,
    );
    assertUser(await client.createUser());
  });

  test("an invalid bearer token is denied", async () => {
    const credential = {
      getToken: async () => ({ token: "not-a-token", expiresOnTimestamp: Date.now() + HOUR }),
    };
    const client = new CommunicationIdentityClient(ENDPOINT, credential, clientOptions);
    await assert.rejects(client.createUser(), restError(401));
  });
});
