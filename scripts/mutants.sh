#!/usr/bin/env bash
# Mutation testing of the SDK and the emulator with cargo-mutants, file by file, each against
# the fast tests that cover it (never the proptest, soak or recording suites, nor the emulator's
# slow limits and binary tests). A file under emulator/ is mutated in the emulator's package.
#
#   scripts/mutants.sh                            # every file (about 3 hours)
#   scripts/mutants.sh --file src/signing/key.rs  # one file (repeat --file for more)
#   scripts/mutants.sh --iterate                  # only what the last run did not catch
#   scripts/mutants.sh --in-diff BASE             # only the lines changed since commit BASE
#
# Options:
#   --file PATH     a file to mutate (repeatable); default: every file of SOURCES
#   --rev REV       the commit to test (default HEAD); the checkout's uncommitted edits are
#                   never used, so the run is reproducible and other work is never touched
#   --iterate       skip the mutants a previous run of the same file caught
#   --timeout SECS  per-mutant test timeout (default 30: a mutant that loops fails by it)
#
# Work lives in ${MUTANTS_DIR:-target/mutants}: a copy of the tree at REV (mutated in place,
# restored after each mutant, so one mutant at a time: -j 1), its own cargo target dir (built
# without debug info, kept between runs; MUTANTS_TARGET_DIR names another, e.g. one whose
# dependencies are built), and one mutants.out per file under out/. Exit status: 0 when no mutant was missed, 1 otherwise.
# Needs `cargo install cargo-mutants --locked`. Timings per file are in TESTING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

# What is mutated: every Rust file of either crate (the generator included, see
# `prepare_generator`), but the tests' own files and the model check's cases (test code).
SOURCES=('src/*.rs' 'emulator/src/*.rs' ':!*_tests.rs' ':!*/tests.rs'
  ':!src/token_cache/model.rs' ':!src/signing/test_support.rs')

# The modules of the integration tests (tests/suite) that exercise a file; the unit tests
# (every test in a module `tests` of the library) always run.
tests_for() {
  case "$1" in
    src/signing/key.rs | src/signing/request.rs | src/signing/date.rs | src/endpoint.rs \
      | src/connection_string.rs | src/models/expiry.rs)
      echo "api_shape::" ;;
    src/pipeline/encoding.rs) echo "errors:: client::" ;;
    src/pipeline/retry.rs | src/pipeline/response_error.rs | src/pipeline/response_meta.rs)
      echo "errors:: faults::" ;;
    src/error/mod.rs | src/error/redact.rs) echo "errors:: api_shape::" ;;
    src/token_cache.rs) echo "errors:: cancellation:: token_cache::" ;;
    src/codegen/*) echo "codegen" ;;  # codegen:: and codegen_rules::
    src/pipeline/per_call.rs | src/pipeline/per_try.rs | src/pipeline/authorize.rs \
      | src/pipeline/context.rs)
      echo "errors:: cancellation:: token_cache:: faults:: durable_and_entra:: no_secrets_in_logs::" ;;
    emulator/src/token_endpoint/* | emulator/src/tokens.rs | emulator/src/jwt.rs)
      echo "sign_in:: check_order:: emulator::" ;;
    emulator/src/persist/* | emulator/src/state/*) echo "persistence:: emulator:: preview::" ;;
    emulator/src/server.rs | emulator/src/fuzzing.rs | emulator/src/http.rs)
      echo "hostile:: limits:: emulator:: https:: sign_in::" ;;
    emulator/src/main.rs) echo "binary:: persistence::" ;;
    emulator/src/lib.rs | emulator/src/tls.rs) echo "emulator:: https:: binary:: persistence::" ;;
    emulator/*) echo "emulator:: check_order:: preview:: sign_in::" ;;
    src/operations/*) echo "errors:: client:: faults:: api_shape:: durable_and_entra:: blocking::" ;;
    src/models/* | src/spec.rs) echo "errors:: client:: api_shape:: durable_and_entra::" ;;
    src/blocking.rs) echo "blocking:: blocking_token_cache::" ;;
    src/client.rs | src/credential.rs | src/options.rs)
      echo "errors:: client:: faults:: api_shape:: token_cache:: durable_and_entra:: cancellation:: no_secrets_in_logs::" ;;
    src/azure_core_credential.rs) echo "azure_core_credential::" ;;
    *) echo "errors:: client:: faults:: api_shape:: token_cache::" ;;
  esac
}

# The features a file needs to be compiled at all (its items are behind them).
features_for() {
  case "$1" in
    # The operations' files are built without their blocking twins (see `unwrap_operations`).
    src/blocking.rs) echo "--features=blocking" ;;
    src/azure_core_credential.rs) echo "--features=azure_core" ;;
  esac
}

# The package a file belongs to.
package_of() {
  case "$1" in
    emulator/*) echo acs-identity-emulator ;;
    *) echo acs-identity ;;
  esac
}

# The operations are declared in `operations!`, which also makes their blocking twins; cargo-mutants
# does not look inside a macro's invocation. For a file of src/operations/, the tree's
# invocations become plain `impl` blocks, line for line (so every line keeps its number), and
# the crate is built without the `blocking` feature, whose twins only forward to these methods
# (src/blocking.rs and the blocking tests are mutated and run with it). Prints what it changed.
unwrap_operations() {
  local f
  for f in "$tree"/src/operations/*.rs; do
    if grep -q '^operations! {$' "$f"; then
      sed -i 's/^operations! {$/impl crate::CommunicationIdentityClient {/' "$f"
      echo "$f"
    fi
  done
}

# The generator (src/codegen) is compiled into build.rs and, through `#[path]`, into the
# codegen tests (tests/suite/codegen.rs), which compare what it makes with the build's outputs
# (the merged document, the spec's facts) and with the snapshots (each version's conversion).
# cargo-mutants mutates only what a library or a binary reaches: for a file of src/codegen/,
# the tree's library names the generator in a module never compiled (`#[cfg(any())]`, appended,
# so no line moves), and build.rs reads an unmutated copy of it. A mutant then changes the
# tests' generator only, and the build's outputs stay those of REV: nothing is regenerated or
# recompiled but the tests. Prints what it changed.
prepare_generator() {
  local copy
  copy=$(realpath -m "$work/generator")
  rm -rf "$copy"
  cp -r "$fresh/src/codegen" "$copy"
  sed -i -e "s|#\[path = \"src/codegen/mod.rs\"\]|#[path = \"$copy/mod.rs\"]|" \
    -e "s|cargo:rerun-if-changed=src/codegen\"|cargo:rerun-if-changed=$copy\"|" "$tree/build.rs"
  grep -q "$copy/mod.rs" "$tree/build.rs" || { echo "build.rs: no #[path] of src/codegen" >&2; exit 2; }
  printf '\n#[cfg(any())]\n#[path = "codegen/mod.rs"]\nmod codegen;\n' >>"$tree/src/lib.rs"
  echo "$tree/build.rs"
  echo "$tree/src/lib.rs"
}

files=() rev=HEAD iterate=() timeout=30 base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --file) files+=("$2"); shift 2 ;;
    --rev) rev=$2; shift 2 ;;
    --iterate) iterate=(--iterate); shift ;;
    --in-diff) base=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
diff_args=()
if [ -n "$base" ]; then
  # The Rust files of either crate changed since BASE (generated code and tests aside), each
  # mutated only where the diff touches it.
  diff_file=$(mktemp)
  git -C "$repo" diff "$base" "$rev" -- "${SOURCES[@]}" >"$diff_file"
  diff_args=(--in-diff "$diff_file")
  if [ ${#files[@]} -eq 0 ]; then
    mapfile -t files < <(git -C "$repo" diff --name-only --diff-filter=AM "$base" "$rev" \
      -- "${SOURCES[@]}")
  fi
  [ ${#files[@]} -gt 0 ] || { echo "no Rust file of the crates changed since $base"; exit 0; }
fi
# Every file of SOURCES at REV: its difference from the empty tree.
[ ${#files[@]} -gt 0 ] || mapfile -t files < <(git -C "$repo" diff --name-only \
  "$(git -C "$repo" hash-object -t tree /dev/null)" "$rev" -- "${SOURCES[@]}")
command -v cargo-mutants >/dev/null || {
  echo "cargo-mutants is missing: cargo install cargo-mutants --locked" >&2; exit 2; }

work=${MUTANTS_DIR:-$repo/target/mutants}
tree=$work/tree
mkdir -p "$tree" "$work/out"

# Bring the tree to REV, rewriting only the files whose content differs, so that cargo's
# incremental build of an earlier run stays valid for the rest.
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
git -C "$repo" archive "$rev" | tar -x -C "$fresh"
(cd "$fresh" && find . -type f) | while read -r f; do
  if ! cmp -s "$fresh/$f" "$tree/$f"; then
    mkdir -p "$(dirname "$tree/$f")"
    cp "$fresh/$f" "$tree/$f"
  fi
done
(cd "$tree" && find . -path ./mutants.out -prune -o -type f -print) | while read -r f; do
  [ -e "$fresh/$f" ] || rm -f "$tree/$f"
done

# MUTANTS_TARGET_DIR: reuse a target dir whose dependencies are built (CI passes its own);
# the profile's debug setting is then left as the caller set it, so that they are reused.
if [ -n "${MUTANTS_TARGET_DIR:-}" ]; then
  export CARGO_TARGET_DIR=$MUTANTS_TARGET_DIR
else
  export CARGO_TARGET_DIR=$work/target
  export CARGO_PROFILE_DEV_DEBUG=false   # no debug info: faster builds and links per mutant
fi
export CARGO_TERM_COLOR=never

status=0
summary=$work/summary.txt
printf '%-32s %6s %6s %8s %8s %6s\n' file caught missed unviable timeout secs | tee "$summary"
for file in "${files[@]}"; do
  [ -f "$tree/$file" ] || { echo "no such file at $rev: $file" >&2; status=2; continue; }
  out=$work/out/$(echo "$file" | tr '/' '_')
  mkdir -p "$out"
  started=$(date +%s)
  # The targets go to every cargo invocation, so that only they are built for each mutant;
  # the test filters to the test binaries (the library's unit tests all sit in `tests` modules).
  # The binary's own unit tests are in its target, not the library's.
  lib=--lib
  [ "$file" = emulator/src/main.rs ] && lib=--bins
  targets=(--cargo-arg=$lib --cargo-arg=--test --cargo-arg=suite
    --cargo-test-arg=-- --cargo-test-arg=tests::)
  for filter in $(tests_for "$file"); do targets+=("--cargo-test-arg=$filter"); done
  unwrapped=()
  [[ $file == src/operations/* ]] && mapfile -t unwrapped < <(unwrap_operations)
  [[ $file == src/codegen/* ]] && mapfile -t unwrapped < <(prepare_generator)
  # shellcheck disable=SC2046 # no feature, or one word
  cargo mutants --in-place --dir "$tree" -p "$(package_of "$file")" --file "$file" \
    $(features_for "$file") \
    --timeout "$timeout" --build-timeout 900 --no-shuffle \
    --output "$out" "${iterate[@]}" "${diff_args[@]}" "${targets[@]}" >"$out/run.log" 2>&1 || true
  for f in "${unwrapped[@]}"; do cp "$fresh/${f#"$tree"/}" "$f"; done
  secs=$(( $(date +%s) - started ))
  count() {
    if [ -f "$out/mutants.out/$1.txt" ]; then grep -c . "$out/mutants.out/$1.txt" || true
    else echo 0; fi
  }
  caught=$(count caught) missed=$(count missed) unviable=$(count unviable) timeouts=$(count timeout)
  printf '%-32s %6s %6s %8s %8s %6s\n' "$file" "$caught" "$missed" "$unviable" "$timeouts" \
    "$secs" | tee -a "$summary"
  if [ "$missed" != 0 ]; then
    status=1
    sed 's/^/    missed: /' "$out/mutants.out/missed.txt"
  fi
  if grep -qE "Found 0 mutants to test|No mutants to filter" "$out/run.log"; then
    echo "    nothing (left) to test"
  elif [ "$caught$missed$unviable$timeouts" = 0000 ]; then
    echo "    no outcome: see $out/run.log" >&2
    tail -5 "$out/run.log" >&2
    status=2
  fi
done
echo "summary: $summary; per-file logs and outcomes: $work/out/"
exit $status
