#!/usr/bin/env bash
# Checks, in a scratch copy of the working tree, that a new API version is data (MAINTAINING.md):
#
# 1. A new stable version that promotes the preview's durable identities (`customId` on create,
#    `GET /identities/{id}`): synthesised as 2027-03-01 from 2026-09-23 plus those two from the
#    preview. The procedure: vendor its files (+ SOURCES.md rows), add its entry to
#    spec/versions.toml, accept the new snapshots; then `CI=true cargo test` must pass with no
#    other edit, and an app with default features must call `custom_id` and `get_user` at that
#    version (its new constant `ApiVersion::V2027_03_01`, now the default) against the emulator,
#    with `acs-identity` compiled once for its build and its tests (the emulator as a
#    dev-dependency changes nothing).
# 2. A new operation in a new preview (2027-06-01-preview: `GET /identities`, listing them): each
#    omission fails and names what is missing: the name line (build error), the emulator's answer
#    (compile error), the facade method (test failure).
#
# Prints the files and hunks each step changed. Takes several minutes (two builds of the
# workspace). Usage: scripts/new_version_check.sh [scratch dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${1:-$root/target/new-version-check}"
export CARGO_TARGET_DIR="$scratch/target" CARGO_TERM_COLOR=never
rm -rf "$scratch/repo" "$scratch/app"
mkdir -p "$scratch/repo"
# The working tree's tracked and new files, as they are now.
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$scratch/repo")
cd "$scratch/repo"
git init -q && git add -A && git -c user.name=check -c user.email=check@localhost commit -qm base

changes() { # what the working copy changed since the last commit: files, hunks
    local files hunks
    git add -A
    files=$(git diff --cached --name-only | wc -l)
    hunks=$(git diff --cached -U0 | grep -c '^@@' || true)
    echo "$1: $files files, $hunks hunks ($(git diff --cached --name-only | tr '\n' ' '))"
    [ "$files" -gt 0 ] || { echo "the step changed nothing: its edit did not apply" >&2; exit 1; }
    git -c user.name=check -c user.email=check@localhost commit -qm "$1"
}

identity=specification/communication/data-plane/Identity
python3 - "$identity" <<'PY'
import copy, json, os, shutil, sys
identity = os.path.join("spec", sys.argv[1])
def load(p):
    with open(p) as f:
        return json.load(f)
base = load(f"{identity}/stable/2026-09-23/CommunicationIdentity.json")
preview = load(f"{identity}/preview/2025-03-02-preview/CommunicationIdentity.json")

def vendor(folder, doc, examples):
    os.makedirs(f"{identity}/{folder}/examples", exist_ok=True)
    with open(f"{identity}/{folder}/CommunicationIdentity.json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    for name, example in examples.items():
        with open(f"{identity}/{folder}/examples/{name}", "w") as f:
            json.dump(example, f, indent=2)
            f.write("\n")

def examples_of(folder, version):
    out = {}
    for name in os.listdir(f"{identity}/{folder}/examples"):
        e = load(f"{identity}/{folder}/examples/{name}")
        e.setdefault("parameters", {})["api-version"] = version
        out[name] = e
    return out

# 1. 2027-03-01: 2026-09-23 + the preview's customId and GET /identities/{id}.
stable = copy.deepcopy(base)
stable["info"]["version"] = "2027-03-01"
defs = stable["definitions"]
defs["CommunicationIdentityCreateRequest"]["properties"]["customId"] = \
    preview["definitions"]["CommunicationIdentityCreateRequest"]["properties"]["customId"]
for p in ("customId", "lastTokenIssuedAt"):
    defs["CommunicationIdentity"]["properties"][p] = \
        preview["definitions"]["CommunicationIdentity"]["properties"][p]
delete = stable["paths"]["/identities/{id}"]["delete"]
get = copy.deepcopy(delete)
get["operationId"] = "IdentityOperations_Get"
get["summary"] = get["description"] = "Get an identity by its id."
get["responses"] = {
    "200": {"description": "The request has succeeded.",
            "schema": {"$ref": "#/definitions/CommunicationIdentity"}},
    "default": delete["responses"]["default"],
}
get["x-ms-examples"] = {"Get an identity": {"$ref": "./examples/IdentityOperations_Get.json"}}
stable["paths"]["/identities/{id}"] = {"get": get, **stable["paths"]["/identities/{id}"]}
examples = examples_of("stable/2026-09-23", "2027-03-01")
got = load(f"{identity}/preview/2025-03-02-preview/examples/GetIdentity.json")
got["parameters"]["api-version"] = "2027-03-01"
examples["IdentityOperations_Get.json"] = got
vendor("stable/2027-03-01", stable, examples)

# 2. 2027-06-01-preview: 2027-03-01 + GET /identities (a list).
listing = copy.deepcopy(stable)
listing["info"]["version"] = "2027-06-01-preview"
listing["definitions"]["CommunicationIdentityList"] = {
    "type": "object", "description": "A page of identities.",
    "properties": {
        "value": {"type": "array", "items": {"$ref": "#/definitions/CommunicationIdentity"},
                  "description": "The identities."},
        "nextLink": {"type": "string", "description": "The next page."},
    },
    "required": ["value"],
}
create = listing["paths"]["/identities"]["post"]
listed = {
    "operationId": "IdentityOperations_List",
    "summary": "List the identities.", "description": "List the identities.",
    "parameters": [p for p in create["parameters"] if p.get("in") != "body"],
    "responses": {
        "200": {"description": "The request has succeeded.",
                "schema": {"$ref": "#/definitions/CommunicationIdentityList"}},
        "default": create["responses"]["default"],
    },
}
listing["paths"]["/identities"] = {"get": listed, **listing["paths"]["/identities"]}
with open("/tmp/new-preview.json", "w") as f:
    json.dump({"doc": listing, "examples": examples_of("stable/2027-03-01", "2027-06-01-preview")}, f)
PY

sources_rows() { # SOURCES.md rows for the files of folder $1
    find "spec/$identity/$1" -type f | sort | while read -r f; do
        printf '| `%s` | %s | %s | (synthesised) | |\n' "${f#spec/specification/communication/data-plane/}" \
            "$(wc -c < "$f")" "$(git hash-object "$f")"
    done >> spec/SOURCES.md
}
entry() { # [[version]] entry for name $1 at folder $2
    printf '\n[[version]]\nname = "%s"\nspec = "%s/%s/CommunicationIdentity.json"\n' \
        "$1" "$identity" "$2" >> spec/versions.toml
}

echo "== scenario 1: a new stable version promotes the durable identities"
sources_rows stable/2027-03-01
entry 2027-03-01 stable/2027-03-01
changes "vendored files, SOURCES.md rows and the entry"
INSTA_UPDATE=always cargo test --workspace --quiet >/dev/null 2>&1 || true
changes "accepted snapshots"
CI=true cargo test --workspace --quiet 2>&1 | grep -E '^test result|FAILED|panicked' | sort | uniq -c
CI=true cargo test --workspace --quiet >/dev/null 2>&1
echo "cargo test: passed with no other edit"

mkdir -p "$scratch/app/src" "$scratch/app/tests"
cat > "$scratch/app/Cargo.toml" <<TOML
[package]
name = "app"
version = "0.1.0"
edition = "2024"

[dependencies]
acs-identity = { path = "$scratch/repo" }
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }

[dev-dependencies]
acs-identity-emulator = { path = "$scratch/repo/emulator" }

[workspace]
TOML
cp Cargo.lock "$scratch/app/"
cat > "$scratch/app/src/lib.rs" <<'RS'
use acs_identity::{ApiVersion, ClientOptions, CommunicationIdentityClient, CreateUserOptions};

/// The user of `custom_id`, created or found, and its custom id as the service reads it back.
pub async fn durable(cs: &str, custom_id: &str) -> Result<Option<String>, acs_identity::Error> {
    assert_eq!(ApiVersion::DEFAULT, ApiVersion::V2027_03_01);
    let options = ClientOptions::default().with_api_version(ApiVersion::V2027_03_01);
    let client = CommunicationIdentityClient::from_connection_string(cs, Some(options))?;
    let created = client.create_user_with(CreateUserOptions::new().custom_id(custom_id)).await?;
    let again = client.create_user_with(CreateUserOptions::new().custom_id(custom_id)).await?;
    assert_eq!(created.user(), again.user());
    Ok(client.get_user(created.user()).await?.custom_id().map(str::to_owned))
}
RS
cat > "$scratch/app/tests/durable.rs" <<'RS'
#[tokio::test]
async fn custom_id_and_get_user_at_the_new_default_version() {
    let emulator = acs_identity_emulator::Emulator::start().await.unwrap();
    let cs = emulator.connection_string();
    assert_eq!(app::durable(&cs, "alice").await.unwrap().as_deref(), Some("alice"));
    // The client at its defaults: the same version.
    let client = acs_identity::CommunicationIdentityClient::from_connection_string(&cs, None).unwrap();
    assert_eq!(client.api_version(), "2027-03-01");
}
RS
# Its own target directory, as a user's app has: what it compiles is what it needs.
app_target="$scratch/app-target"
rm -rf "$app_target"
(cd "$scratch/app" && CARGO_TARGET_DIR="$app_target" cargo test --quiet 2>&1 \
    | grep -E '^test result|FAILED|panicked')
rlibs=$(ls "$app_target"/debug/deps/libacs_identity-*.rlib | wc -l)
echo "the app's test build compiled acs-identity $rlibs time(s)"
[ "$rlibs" -eq 1 ]
# The emulator as a dev-dependency turns on no feature of acs-identity: the app's build and its
# test build see the same API. (A second compilation across `cargo build` and `cargo test` can
# still come from other crates' features, e.g. tokio's that the emulator needs.)
features() { (cd "$scratch/app" && cargo tree -e "features,$1" -i acs-identity --prefix none \
    | grep '^acs-identity feature' | sort -u | tr '\n' ' '); }
echo "acs-identity's features: build: $(features normal); tests: $(features normal,dev)"
[ "$(features normal)" = "$(features normal,dev)" ]

echo "== scenario 2: a new operation in a new preview"
python3 - "$identity" <<'PY'
import json, os, sys
identity = os.path.join("spec", sys.argv[1])
data = json.load(open("/tmp/new-preview.json"))
folder = f"{identity}/preview/2027-06-01-preview"
os.makedirs(f"{folder}/examples", exist_ok=True)
with open(f"{folder}/CommunicationIdentity.json", "w") as f:
    json.dump(data["doc"], f, indent=2)
    f.write("\n")
for name, example in data["examples"].items():
    with open(f"{folder}/examples/{name}", "w") as f:
        json.dump(example, f, indent=2)
        f.write("\n")
PY
sources_rows preview/2027-06-01-preview
entry 2027-06-01-preview preview/2027-06-01-preview
changes "vendored files, SOURCES.md rows and the entry"
expect_failure() { # what, command...: the command must fail, printing its first error
    local what=$1; shift
    if out=$("$@" 2>&1); then echo "expected a failure: $what"; exit 1; fi
    echo "without $what: $(grep -m1 -E '^error|panicked|no facade' <<< "$out")"
    grep -m3 -E 'OPERATION_NAMES|not covered|no facade method' <<< "$out" | sed 's/^/    /'
}
expect_failure "its name line" cargo build -p acs-identity --quiet
python3 - <<'PY'
p = "src/codegen/convert/names.rs"
s = open(p).read()
anchor = 'const OPERATION_NAMES: &[(&str, &str, &str)] = &[\n'
assert anchor in s, f"no `{anchor.strip()}` in {p}"
s = s.replace(anchor, anchor + '    ("GET", "/identities", "list_identities"),\n')
open(p, "w").write(s)
PY
changes "its name line"
expect_failure "the emulator's answer" cargo build -p acs-identity-emulator --quiet
python3 - <<'PY'
# The emulator's exhaustive matches: one more arm each, answering 501 for now.
p = "emulator/src/routes/mod.rs"
s = open(p).read()
s = s.replace("| OperationId::DeleteEntraAssignment => false,",
              "| OperationId::DeleteEntraAssignment\n        | OperationId::ListIdentities => false,")
s = s.replace("        OperationId::DeleteEntraAssignment => {\n",
              "        OperationId::ListIdentities => {\n"
              "            Err(crate::errors::ApiError::not_implemented(\"list_identities\"))\n"
              "        }\n"
              "        OperationId::DeleteEntraAssignment => {\n", 1)
open(p, "w").write(s)
PY
changes "the emulator's answer"
expect_failure "its facade method" env CI=true cargo test --workspace --quiet
echo "done: $scratch/repo"
