#!/usr/bin/env bash
# Fails when a committed insta snapshot is not used by any test: a stale one (left behind by a
# renamed or removed assertion) would otherwise lie about the generated surface.
#
#   INSTA_SNAPSHOT_REFERENCES_FILE=target/snapshot-refs.txt cargo test ...
#   scripts/stale_snapshots.sh target/snapshot-refs.txt
set -euo pipefail
refs=${1:?the file insta wrote the used snapshots to (INSTA_SNAPSHOT_REFERENCES_FILE)}
cd "$(dirname "$0")/.."
[ -s "$refs" ] || { echo "$refs is empty: no snapshot test ran" >&2; exit 1; }
stale=()
while read -r snap; do
  grep -qxF "$(realpath "$snap")" <(xargs -r -d '\n' realpath -m < "$refs") || stale+=("$snap")
done < <(git ls-files '*.snap')
if [ ${#stale[@]} -gt 0 ]; then
  printf 'stale snapshot (no test uses it; delete it or restore its test): %s\n' "${stale[@]}" >&2
  exit 1
fi
echo "every committed snapshot is used ($(git ls-files '*.snap' | wc -l))"
