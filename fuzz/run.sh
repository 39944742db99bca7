#!/usr/bin/env bash
# Runs every fuzz target for a fixed time (default 60 s each) with cargo-fuzz (libFuzzer).
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 enables them on the stable toolchain.
# Usage: fuzz/run.sh [seconds per target]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in connection_string identifier response_body emulator_request; do
  mkdir -p "corpus/$target"
  echo "== $target: ${seconds}s"
  cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=4096 2>&1 \
    | grep -E "^#[0-9]+ +DONE|SUMMARY|panicked|Done [0-9]+ runs" || true
done
