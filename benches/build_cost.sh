#!/usr/bin/env bash
# Build cost of the crate, in its own target directory (target/build-cost):
#   1. a clean debug build (`cargo build`, default features), from an empty target directory;
#   2. the rebuild after touching one facade file (src/operations/mod.rs), which must not rerun the
#      build script (code generation);
#   3. the rebuild after touching the spec, which must rerun it.
# A touch changes no content, so rustc's incremental cache makes 2 and 3 nearly free. Two more
# steps edit for real, in a copy of the crate (target/build-cost-src; the work tree is not changed):
#   4. a string literal of src/operations/mod.rs changed;
#   5. an operation's description in the spec changed (generation reruns, the generated doc
#      comment changes).
# Each step is repeated RUNS times (default 3); the medians are printed and written to
# target/bench-results/build_cost.json. The machine should be otherwise idle.
#
#   benches/build_cost.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${1:-3}"
export CARGO_TARGET_DIR="$root/target/build-cost"
spec="spec/specification/communication/data-plane/Identity/stable/2026-09-23/CommunicationIdentity.json"
facade="src/operations/mod.rs"
log="$CARGO_TARGET_DIR/build-cost.log"
results="$root/target/bench-results"
mkdir -p "$results" "$CARGO_TARGET_DIR"
: > "$log"

# The build script's execution (not its compilation) as cargo -vv prints it.
# (with -vv, cargo prints the environment before the command).
ran_build_script() { grep -Eq 'Running `.*/build-script-build`' "$1"; }

# Seconds taken by `cargo build "$@"`; its output goes to $out.
timed_build() {
    local start end
    start=$(date +%s.%N)
    cargo build "$@" > "$out" 2>&1 || { cat "$out" >&2; exit 1; }
    end=$(date +%s.%N)
    cat "$out" >> "$log"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}

clean=() facade_t=() spec_t=() facade_reran=() spec_reran=()
edit_t=() spec_edit_t=() edit_reran=() spec_edit_reran=()
copy="$root/target/build-cost-src"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for i in $(seq 1 "$runs"); do
    cargo clean --quiet
    t=$(timed_build)
    clean+=("$t")
    echo "run $i: clean build ${t}s" >&2

    touch "$facade"
    t=$(timed_build -vv)
    facade_t+=("$t")
    if ran_build_script "$out"; then facade_reran+=(true); else facade_reran+=(false); fi
    echo "run $i: after touching $facade ${t}s (build script rerun: ${facade_reran[-1]})" >&2

    touch "$spec"
    t=$(timed_build -vv)
    spec_t+=("$t")
    if ran_build_script "$out"; then spec_reran+=(true); else spec_reran+=(false); fi
    echo "run $i: after touching the spec ${t}s (build script rerun: ${spec_reran[-1]})" >&2

    # Real edits, in a copy of the crate sharing the target directory.
    rm -rf "$copy"
    mkdir -p "$copy"
    tar -C "$root" --exclude=./target --exclude=./.git --exclude=./fuzz -cf - . | tar -C "$copy" -xf -
    (cd "$copy" && cargo build --quiet)
    sed -i -E "s/must not be empty[0-9]*\"/must not be empty$i\"/" "$copy/$facade"
    t=$(cd "$copy" && timed_build -vv)
    edit_t+=("$t")
    if ran_build_script "$out"; then edit_reran+=(true); else edit_reran+=(false); fi
    echo "run $i: after editing $facade ${t}s (build script rerun: ${edit_reran[-1]})" >&2

    sed -i -E 's/(Exchanges a Teams Phone token for an ACS user access token\.)( *)"/\1\2 "/' "$copy/$spec"
    t=$(cd "$copy" && timed_build -vv)
    spec_edit_t+=("$t")
    if ran_build_script "$out"; then spec_edit_reran+=(true); else spec_edit_reran+=(false); fi
    echo "run $i: after editing the spec ${t}s (build script rerun: ${spec_edit_reran[-1]})" >&2
done
rm -rf "$copy"

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
list() { local IFS=,; echo "$*"; }
m_clean=$(median "${clean[@]}")
m_facade=$(median "${facade_t[@]}")
m_spec=$(median "${spec_t[@]}")
m_edit=$(median "${edit_t[@]}")
m_spec_edit=$(median "${spec_edit_t[@]}")
cat > "$results/build_cost.json" <<JSON
{
  "runs": $runs,
  "nproc": $(nproc),
  "rustc": "$(rustc -V)",
  "clean_debug_build_s": {"median": $m_clean, "runs": [$(list "${clean[@]}")]},
  "touch_facade_rebuild_s": {"median": $m_facade, "runs": [$(list "${facade_t[@]}")], "build_script_rerun": [$(list "${facade_reran[@]}")]},
  "touch_spec_rebuild_s": {"median": $m_spec, "runs": [$(list "${spec_t[@]}")], "build_script_rerun": [$(list "${spec_reran[@]}")]},
  "edit_facade_rebuild_s": {"median": $m_edit, "runs": [$(list "${edit_t[@]}")], "build_script_rerun": [$(list "${edit_reran[@]}")]},
  "edit_spec_rebuild_s": {"median": $m_spec_edit, "runs": [$(list "${spec_edit_t[@]}")], "build_script_rerun": [$(list "${spec_edit_reran[@]}")]}
}
JSON
printf 'clean debug build:            %6.1f s (median of %d)\n' "$m_clean" "$runs"
printf 'touch %s:     %6.1f s, build script rerun: %s\n' "$facade" "$m_facade" "$(list "${facade_reran[@]}")"
printf 'touch the spec:               %6.1f s, build script rerun: %s\n' "$m_spec" "$(list "${spec_reran[@]}")"
printf 'edit %s (copy):  %6.1f s, build script rerun: %s\n' "$facade" "$m_edit" "$(list "${edit_reran[@]}")"
printf 'edit the spec (copy):         %6.1f s, build script rerun: %s\n' "$m_spec_edit" "$(list "${spec_edit_reran[@]}")"
echo "results: $results/build_cost.json"
