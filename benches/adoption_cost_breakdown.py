#!/usr/bin/env python3
"""Where an app with acs-identity spends its extra build time, item by item.

Reads two `cargo build --timings` reports (the bare reqwest app's and the app with acs-identity,
same profile) and prints, per group of crates, the compilation units and the seconds they took
(the sum of the units' durations as cargo reports them; on a machine with more cores than jobs
this is close to their CPU time). Crates built by both apps count under "shared" with the
difference of their durations; a crate built twice (once for the build script, once for the
library, when the two ask for different features) shows in its group with its second unit.

    benches/adoption_cost_breakdown.py BARE.html SDK.html
"""
import collections
import json
import re
import sys

# Groups of the crates only the app with acs-identity builds: name -> (what, crates).
GROUPS = [
    ("generator", "the build-time generator: progenitor (impl), typify (impl, macro), openapiv3, "
     "regress, regex and its engines, serde_tokenstream, heck, semver, thiserror",
     {"progenitor", "progenitor-impl", "typify", "typify-impl", "typify-macro", "openapiv3",
      "regress", "regex", "regex-automata", "regex-syntax", "aho-corasick", "serde_tokenstream",
      "heck", "semver", "thiserror", "thiserror-impl", "uuid", "log"}),
    ("schemars", "schemars 0.8 (runtime derives; typify's schema types at build time), its "
     "derive and the `syn` 2 it needs", {"schemars", "schemars_derive", "serde_derive_internals",
                                         "dyn-clone", "syn@2"}),
    ("hmac", "HMAC-SHA256: hmac, sha2 and the RustCrypto traits",
     {"hmac", "sha2", "digest", "block-buffer", "crypto-common", "generic-array", "typenum",
      "cpufeatures", "cfg-if", "version_check", "subtle"}),
    ("chrono", "chrono (`AccessToken::expires_on`)", {"chrono", "num-traits", "autocfg"}),
    ("crate", "acs-identity: its build script (compiled and run) and the library, "
     "progenitor-client", {"acs-identity", "progenitor-client"}),
]


def units(path):
    html = open(path, encoding="utf-8").read()
    data = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
    out = []
    for unit in data:
        name = unit["name"]
        if name == "syn" and unit["version"].startswith("2."):
            name = "syn@2"
        out.append((name, unit["target"].strip(), unit["duration"]))
    return out


def main(bare_path, sdk_path):
    bare, sdk = units(bare_path), units(sdk_path)
    apps = {"bare", "sdk"}
    bare_by = collections.defaultdict(list)
    for name, target, secs in bare:
        bare_by[(name, target)].append(secs)
    rows = collections.OrderedDict((g[0], [0, 0.0]) for g in GROUPS)
    rows["shared"] = [0, 0.0]
    rows["other"] = [0, 0.0]
    others = []
    for name, target, secs in sdk:
        if name in apps:
            continue
        group = next((g[0] for g in GROUPS if name in g[2]), None)
        seen = bare_by.get((name, target))
        if seen:
            rows["shared"][1] += secs - seen.pop()
            continue
        if group is None:
            group = "other"
            others.append(f"{name} {target}".strip())
        rows[group][0] += 1
        rows[group][1] += secs
    app_extra = sum(s for n, _, s in sdk if n in apps) - sum(s for n, _, s in bare if n in apps)
    rows["shared"][1] += app_extra
    total_bare = sum(s for _, _, s in bare)
    total_sdk = sum(s for _, _, s in sdk)
    what = {g[0]: g[1] for g in GROUPS}
    what["shared"] = "crates both apps build (and the app itself): the difference of their durations"
    what["other"] = "other crates only this app builds, or built twice: " + (", ".join(others) or "none")
    print("| group | units | seconds | share of the extra | what |")
    print("|---|---:|---:|---:|---|")
    extra = total_sdk - total_bare
    for key, (count, secs) in rows.items():
        print(f"| {key} | {count} | {secs:.1f} | {100 * secs / extra:.0f}% | {what[key]} |")
    print(f"| **total** | {len(sdk) - len(bare)} | **{extra:.1f}** | 100% | "
          f"{total_sdk:.1f} s against {total_bare:.1f} s: {total_sdk / total_bare:.2f}x |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
