#!/usr/bin/env bash
# What adopting the crate costs a new user at build time: a fresh binary crate depending on
# `acs-identity` (default features) next to the same app with bare `reqwest` 0.13 (the same TLS
# features, `serde` with derive, `serde_json`), both with the same `tokio` features. Each is built
# from an empty target directory, one after the other, in debug and release; the app with
# `acs-identity` of another revision is also built when BASE names one (a git revision: the
# same app against the crate at BASE, to measure a change in one run). Printed: CPU seconds
# (user + system of cargo and everything it ran), wall seconds and compilation units ("Compiling" lines), and the
# ratios to the bare app; then, for each configuration with acs-identity, where its extra build
# time goes, group by group (benches/adoption_cost_breakdown.py over the last run's
# `cargo build --timings` reports). Both apps take the workspace's Cargo.lock, so they build the
# same versions. The machine should be otherwise idle.
#
#   benches/adoption_cost.sh [RUNS]      (default 1; medians when more)
#   CONFIGS="bare debug,sdk debug" benches/adoption_cost.sh    (a subset; the bare app of each
#                                                             profile measured comes first)
#   BASE=<rev> CONFIGS="bare debug,sdk debug,sdk-base debug" benches/adoption_cost.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-1}"
work="$root/target/adoption-cost"
results="$root/target/bench-results"
rm -rf "$work"
mkdir -p "$work" "$results/timings"

app() { # name, dependencies, main.rs body
    mkdir -p "$work/$1/src"
    cat > "$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2024"

[dependencies]
$2
tokio = { version = "1", features = ["rt", "macros"] }

[workspace]
TOML
    printf '%s\n' "$3" > "$work/$1/src/main.rs"
    cp "$root/Cargo.lock" "$work/$1/Cargo.lock"
}

app bare 'reqwest = { version = "0.13", default-features = false, features = ["json", "query", "http2", "rustls"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"' '#[derive(serde::Deserialize, Debug)]
struct Created { identity: serde_json::Value }

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::args().nth(1).unwrap_or_default();
    let created: Created = reqwest::Client::new()
        .post(format!("{endpoint}/identities?api-version=2026-09-23"))
        .json(&serde_json::json!({}))
        .send()
        .await?
        .json()
        .await?;
    println!("{created:?}");
    Ok(())
}'

app sdk "acs-identity = { path = \"$root\" }" '#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cs = std::env::args().nth(1).unwrap_or_default();
    let client = acs_identity::CommunicationIdentityClient::from_connection_string(&cs, None)?;
    println!("{}", client.create_user().await?.id());
    Ok(())
}'
if [ -n "${BASE:-}" ]; then
    git -C "$root" worktree prune
    git -C "$root" worktree add --detach "$work/base-src" "$BASE" >/dev/null
    mkdir -p "$work/sdk-base"
    cp -r "$work/sdk/src" "$work/sdk-base/"
    sed -e 's|^name = "sdk"|name = "sdk-base"|' \
        -e "s|^acs-identity = .*|acs-identity = { path = \"$work/base-src\" }|" \
        "$work/sdk/Cargo.toml" > "$work/sdk-base/Cargo.toml"
    cp "$work/base-src/Cargo.lock" "$work/sdk-base/Cargo.lock"
fi

# cpu_s wall_s units of one clean build of app $1 with cargo arguments "${@:3}"; its timing
# report is kept as $results/timings/$2.html.
measure() {
    local dir="$work/$1" report="$results/timings/$2.html"; shift 2
    rm -rf "$dir/target"
    (cd "$dir" && cargo fetch --quiet)
    python3 - "$dir" "$@" <<'PY'
import resource, subprocess, sys, time
dir, args = sys.argv[1], sys.argv[2:]
start = time.monotonic()
out = subprocess.run(["cargo", "build", "--timings", *args], cwd=dir, capture_output=True, text=True)
wall = time.monotonic() - start
if out.returncode != 0:
    sys.stderr.write(out.stderr)
    sys.exit(1)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
units = sum(1 for line in out.stderr.splitlines() if line.strip().startswith("Compiling "))
print(f"{ru.ru_utime + ru.ru_stime:.1f} {wall:.1f} {units}")
PY
    cp "$dir/target/cargo-timings/cargo-timing.html" "$report"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

IFS=, read -r -a configs <<< "${CONFIGS:-bare debug,sdk debug,bare release,sdk release}"
declare -A cpu wall units
for config in "${configs[@]}"; do
    set -- $config
    app_name=$1; profile=$2
    args=()
    [ "$profile" = release ] && args+=(--release)
    c=() w=() u=()
    for i in $(seq 1 "$runs"); do
        read -r cs ws us < <(measure "$app_name" "${1}-$profile" "${args[@]}")
        c+=("$cs"); w+=("$ws"); u+=("$us")
        echo "$1 $profile run $i: cpu ${cs}s wall ${ws}s units $us" >&2
    done
    key="$1 $profile"
    cpu[$key]=$(median "${c[@]}"); wall[$key]=$(median "${w[@]}"); units[$key]=$(median "${u[@]}")
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
    printf '| app | profile | CPU s | wall s | units | CPU ratio | wall ratio | units ratio |\n'
    printf '|---|---|---|---|---|---|---|---|\n'
    for key in "${configs[@]}"; do
        base="bare ${key#* }"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${key% *}" "${key#* }" \
            "${cpu[$key]}" "${wall[$key]}" "${units[$key]}" \
            "$(ratio "${cpu[$key]}" "${cpu[$base]}")" "$(ratio "${wall[$key]}" "${wall[$base]}")" \
            "$(ratio "${units[$key]}" "${units[$base]}")"
    done
    printf '\n%s, %s cores, runs per configuration: %s\n' "$(rustc -V)" "$(nproc)" "$runs"
    for key in "${configs[@]}"; do
        set -- $key
        [ "$1" = bare ] && continue
        printf '\n%s, %s: the extra build time by group (seconds of compilation units, last run)\n\n' "$1" "$2"
        python3 "$root/benches/adoption_cost_breakdown.py" \
            "$results/timings/bare-$2.html" "$results/timings/$1-$2.html"
    done
} | tee "$results/adoption_cost.md"
