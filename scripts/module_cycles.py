#!/usr/bin/env python3
"""Module cycles of a Rust crate: which modules reference each other, in a loop.

    scripts/module_cycles.py                 # the SDK (src/)
    scripts/module_cycles.py emulator/src    # another crate's src (several may be given)
    scripts/module_cycles.py --edges src     # also list every edge between modules

The module tree is followed from the crate root (`lib.rs`, and `main.rs` as a crate of its own)
through its `mod` declarations, so each file gets its module path (`src/pipeline/retry.rs` is
`pipeline::retry`, a `mod.rs` is its folder, `#[path = "..."]` is honoured) and files no root
declares (e.g. `src/codegen/`, which only `build.rs` includes) are left out and named. Inline
modules (`mod tests { ... }`) are modules too: a module and each of its descendants are
separate nodes.

An edge from module A to module B is a reference in A's code (comments, doc links and string
literals are not code) to an item of B: `use crate::b::x`, `use super::{x, y}`, `use self::...`,
`use child::...`, or a path in an expression or type (`crate::b::x`, `super::x`, `child::x`). A
path is resolved the way rustc does: module by module, and through the names a module imports
(`use`, `pub use`), so `crate::Error`, re-exported by the root, is an edge to `error`, the
module that defines it. A parent declaring a child (`mod child;`) is not an edge; only uses are.

Code included from `OUT_DIR` (`include!(concat!(env!("OUT_DIR"), "/generated.rs"))`) is read
from the newest build of the package under `target/` (or `$CARGO_TARGET_DIR`), when there is one;
the output says which file was read, or that none was found.

Printed: the strongly connected components of more than one module (the cycles), each with the
references that make it. No dependencies beyond Python 3's standard library.
"""

import argparse
import glob
import os
import re
import sys
from collections import defaultdict

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_SEP = r"\s*::\s*"
KEYWORDS = {
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while",
}


# ---------------------------------------------------------------------------------------------
# Source text: comments and literals blanked out (offsets and line breaks kept).


def strip_code(text):
    """`text` with comments, string and character literals replaced by spaces (line breaks
    kept), so that only code remains, at the same offsets."""
    out = list(text)
    i, n = 0, len(text)

    def blank(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            blank(i, j)
            i = j
        elif c in "rb" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            raw_string = re.compile(r'b?r(#*)"').match(text, i)
            if raw_string:
                # Ends at `"` followed by as many `#`.
                hashes = raw_string.group(1)
                end = text.find('"' + hashes, raw_string.end())
                end = n if end < 0 else end + 1 + len(hashes)
                blank(i, end)
                i = end
            elif text.startswith('b"', i):
                i = skip_string(text, i + 1, blank)
            elif text.startswith("b'", i) and char_literal_end(text, i + 1):
                j = char_literal_end(text, i + 1)
                blank(i, j)
                i = j
            else:
                i += 1
        elif c == '"':
            i = skip_string(text, i, blank)
        elif c == "'":
            j = char_literal_end(text, i)
            if j:
                blank(i, j)
                i = j
            else:
                i += 1  # a lifetime or a label
        else:
            i += 1
    return "".join(out)


def skip_string(text, i, blank):
    """Blanks the string literal whose opening quote is at `i`; returns the offset after it."""
    j, n = i + 1, len(text)
    while j < n and text[j] != '"':
        j += 2 if text[j] == "\\" else 1
    blank(i, min(j + 1, n))
    return min(j + 1, n)


def char_literal_end(text, i):
    """The offset after the character literal at `i` (a `'`), or None for a lifetime."""
    m = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'").match(text, i)
    return m.end() if m else None


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------------------------------------
# The module tree.


class Module:
    def __init__(self, path, file, parent):
        self.path = path  # tuple of names; () is the crate root
        self.file = file
        self.parent = parent
        self.children = {}  # name -> Module
        self.imports = {}  # name -> (Module where the `use` is, path segments)
        self.defined = set()  # names of items defined here
        self.refs = []  # (segments, Module it is relative to, file, line, text)

    @property
    def name(self):
        return "::".join(self.path) if self.path else "crate"


MOD_DECL = re.compile(
    r"((?:#\s*\[[^\]]*\]\s*)*)"  # attributes (`#[path = "..."]`, `#[cfg(test)]`)
    r"(?<![A-Za-z0-9_])(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*([;{])"
)
PATH_ATTR = re.compile(r'#\s*\[\s*path\s*=\s*"([^"]*)"\s*\]')
USE_DECL = re.compile(r"(?<![A-Za-z0-9_])use\s+([^;]*);")
ITEM_DEF = re.compile(
    r"(?<![A-Za-z0-9_])(?:fn|struct|enum|trait|type|const|static|union)\s+(" + IDENT + r")"
    r"|macro_rules!\s*(" + IDENT + r")"
)
PATH_EXPR = re.compile(r"(?<![A-Za-z0-9_:$])(" + IDENT + r"(?:" + PATH_SEP + IDENT + r")+)")
INCLUDE_OUT_DIR = re.compile(
    r'include!\s*\(\s*concat!\s*\(\s*env!\s*\(\s*"OUT_DIR"\s*\)\s*,\s*"/?([^"]+)"\s*\)\s*\)'
)


class Crate:
    def __init__(self, src_dir, root_file, package, target_dirs, read_generated=True):
        self.src_dir = src_dir
        self.package = package
        self.target_dirs = target_dirs
        self.read_generated = read_generated
        self.modules = []
        self.files = set()
        self.notes = []
        self.root = self.load(root_file, (), None, os.path.dirname(root_file))

    def load(self, file, path, parent, child_dir):
        """Reads `file` as module `path`; `child_dir` is where its `mod x;` files are."""
        raw = open(file, encoding="utf-8").read()
        self.files.add(os.path.abspath(file))
        module = Module(path, file, parent)
        self.modules.append(module)
        code = strip_code(raw)
        self.scan(module, code, raw, file, 0, len(code), child_dir)
        for m in INCLUDE_OUT_DIR.finditer(raw):
            self.include_generated(module, m.group(1), file)
        return module

    def include_generated(self, module, name, includer):
        if not self.read_generated:
            self.notes.append(
                f"{os.path.relpath(includer)}: OUT_DIR/{name} not read (--no-generated)"
            )
            return
        found = []
        for target in self.target_dirs:
            pattern = os.path.join(target, "*", "build", f"{self.package}-*", "out", name)
            found += glob.glob(pattern)
            pattern = os.path.join(target, "*", "*", "build", f"{self.package}-*", "out", name)
            found += glob.glob(pattern)
        if not found:
            self.notes.append(
                f"{os.path.relpath(includer)}: OUT_DIR/{name} not found (build the crate "
                "first): its references are not counted"
            )
            return
        newest = max(found, key=os.path.getmtime)
        self.notes.append(f"{os.path.relpath(includer)}: included {os.path.relpath(newest)}")
        raw = open(newest, encoding="utf-8").read()
        code = strip_code(raw)
        self.scan(module, code, raw, newest, 0, len(code), None)

    def scan(self, module, code, raw, file, start, end, child_dir):
        """Reads the items of `module` in `code[start:end]`: child modules (inline ones are read
        recursively, their text is skipped here), `use` declarations, item names and paths."""
        pos = start
        spans = []  # the parts of the text that belong to this module itself
        while True:
            m = MOD_DECL.search(code, pos, end)
            if not m:
                spans.append((pos, end))
                break
            name = m.group(2)
            attrs = raw[m.start(1):m.end(1)]
            spans.append((pos, m.start()))
            child_path = module.path + (name,)
            if m.group(3) == "{":
                close = matching_brace(code, m.end() - 1, end)
                child = Module(child_path, file, module)
                self.modules.append(child)
                module.children[name] = child
                sub_dir = os.path.join(child_dir, name) if child_dir else None
                self.scan(child, code, raw, file, m.end(), close, sub_dir)
                pos = close + 1
                continue
            pos = m.end()
            attr = PATH_ATTR.search(attrs)
            if child_dir is None:
                continue
            if attr:
                # Relative to the file's folder, or inside an inline module to the folder its
                # `mod x;` would use. A file named by `#[path]` keeps its own children next to
                # it, as a `mod.rs` does.
                inline = module.parent is not None and module.parent.file == file
                base = child_dir if inline else os.path.dirname(file)
                child_file = os.path.normpath(os.path.join(base, attr.group(1)))
                sub_dir = os.path.dirname(child_file)
            else:
                flat = os.path.join(child_dir, name + ".rs")
                nested = os.path.join(child_dir, name, "mod.rs")
                child_file = flat if os.path.exists(flat) else nested
                sub_dir = os.path.join(child_dir, name)
            if not os.path.exists(child_file):
                self.notes.append(
                    f"{os.path.relpath(file)}:{line_of(code, m.start())}: no file for mod {name}"
                )
                continue
            module.children[name] = self.load(child_file, child_path, module, sub_dir)

        for a, b in spans:
            part = code[a:b]
            for d in ITEM_DEF.finditer(part):
                module.defined.add(d.group(1) or d.group(2))
            taken = []
            for u in USE_DECL.finditer(part):
                taken.append((u.start(), u.end()))
                line = line_of(code, a + u.start())
                for segs, alias in expand_use_tree(u.group(1)):
                    if not segs:
                        continue
                    if segs[-1] == "self":
                        segs = segs[:-1]
                        if not segs:
                            continue
                    if alias is None:
                        alias = segs[-1]
                    if alias and alias not in ("_", "*"):
                        module.imports[alias] = segs
                    if segs[-1] == "*":
                        module.imports.setdefault("*", [])
                        module.imports["*"] = module.imports["*"] + [segs[:-1]]
                        segs = segs[:-1]
                    text = "use " + "::".join(segs)
                    if alias not in (None, segs[-1]):
                        text += f" as {alias}"
                    module.refs.append((segs, file, line, text))
            rest = blank_spans(part, taken)
            for p in PATH_EXPR.finditer(rest):
                segs = re.split(PATH_SEP, p.group(1).strip())
                segs = [s for s in segs if s]
                if not segs or segs[0] in ("Self",):
                    continue
                line = line_of(code, a + p.start())
                module.refs.append((segs, file, line, "::".join(segs)))

    # -----------------------------------------------------------------------------------------
    # Resolution.

    def resolve(self, module, segs, seen=None):
        """The module that `segs`, written in `module`, refers to (or None: another crate, a
        local name)."""
        seen = seen or set()
        key = (id(module), tuple(segs))
        if key in seen:
            return None
        seen.add(key)
        first, rest = segs[0], segs[1:]
        if first == "crate":
            cur = self.root
        elif first == "self":
            cur = module
        elif first == "super":
            cur = module.parent
            while rest and rest[0] == "super" and cur is not None:
                cur, rest = cur.parent, rest[1:]
            if cur is None:
                return None
        elif first in module.children:
            cur, rest = module.children[first], rest
        elif first in module.imports and first not in KEYWORDS:
            target = self.resolve(module, module.imports[first], seen)
            if target is None:
                return None
            # The import named a module, or an item of one: go on from there.
            return self.walk(target, rest, seen)
        else:
            return None
        return self.walk(cur, rest, seen)

    def walk(self, cur, rest, seen):
        for i, seg in enumerate(rest):
            if seg in cur.children:
                cur = cur.children[seg]
            elif seg in cur.imports and seg not in cur.defined and seg != "*":
                target = self.resolve(cur, cur.imports[seg], seen)
                if target is None:
                    return cur
                return self.walk(target, rest[i + 1:], seen) if rest[i + 1:] else target
            elif seg not in cur.defined and "*" in cur.imports:
                for g in cur.imports["*"]:
                    target = self.resolve(cur, g, seen)
                    if target is not None and (seg in target.defined or seg in target.children
                                               or seg in target.imports):
                        return self.walk(target, rest[i:], seen)
                return cur
            else:
                return cur
        return cur

    def edges(self):
        """{(from, to): [(file, line, text)]} between different modules."""
        out = defaultdict(list)
        for m in self.modules:
            for segs, file, line, text in m.refs:
                if segs[0] not in ("crate", "self", "super") and segs[0] not in m.children \
                        and segs[0] not in m.imports:
                    continue
                target = self.resolve(m, segs)
                if target is None or target is m:
                    continue
                out[(m.name, target.name)].append((file, line, text))
        return out


def matching_brace(code, open_at, end):
    depth = 0
    for i in range(open_at, end):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return end


def blank_spans(text, spans):
    out = list(text)
    for a, b in spans:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "
    return "".join(out)


def expand_use_tree(tree):
    """[(segments, alias or None)] of a `use` tree, e.g. `a::{b, c::{self as d, *}}`."""
    tree = re.sub(r"\s+", " ", tree).strip()
    tree = re.sub(PATH_SEP, "::", tree)
    if tree.startswith("::"):
        return []  # an extern crate, written absolutely

    def parse(s, prefix):
        out = []
        for part in split_top(s):
            part = part.strip()
            if not part:
                continue
            brace = part.find("{")
            if brace >= 0 and part.endswith("}"):
                head = part[:brace].rstrip(":").strip()
                new = prefix + ([x for x in head.split("::") if x] if head else [])
                out += parse(part[brace + 1:-1], new)
                continue
            alias = None
            m = re.match(r"(.*?)\s+as\s+(" + IDENT + r")$", part)
            if m:
                part, alias = m.group(1).strip(), m.group(2)
            out.append((prefix + [x for x in part.split("::") if x], alias))
        return out

    return parse(tree, [])


def split_top(s):
    parts, depth, cur = [], 0, []
    for c in s:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur))
    return parts


# ---------------------------------------------------------------------------------------------
# Strongly connected components (Tarjan, iterative).


def sccs(nodes, succ):
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(succ.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            pushed = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(succ.get(w, ())))))
                    pushed = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if pushed:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


# ---------------------------------------------------------------------------------------------


def package_name(src_dir):
    manifest = os.path.join(os.path.dirname(os.path.abspath(src_dir)), "Cargo.toml")
    try:
        text = open(manifest, encoding="utf-8").read()
    except OSError:
        return None
    m = re.search(r'^\[package\][^\[]*?^name\s*=\s*"([^"]+)"', text, re.M | re.S)
    return m.group(1) if m else None


def workspace_target_dirs(src_dir):
    dirs = []
    if os.environ.get("CARGO_TARGET_DIR"):
        dirs.append(os.environ["CARGO_TARGET_DIR"])
    d = os.path.dirname(os.path.abspath(src_dir))
    while True:
        if os.path.isdir(os.path.join(d, "target")):
            dirs.append(os.path.join(d, "target"))
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return dirs


def report(src_dir, root_file, args):
    package = package_name(src_dir) or os.path.basename(os.path.dirname(os.path.abspath(src_dir)))
    targets = workspace_target_dirs(src_dir)
    crate = Crate(src_dir, root_file, package, targets, not args.no_generated)
    edges = crate.edges()
    succ = defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    names = [m.name for m in crate.modules]
    comps = [c for c in sccs(names, succ) if len(c) > 1]
    comps.sort()

    print(f"== {os.path.relpath(root_file)} (package {package}): {len(names)} modules, "
          f"{len(edges)} edges between modules")
    for note in crate.notes:
        print(f"   note: {note}")
    if args.edges:
        for (a, b), refs in sorted(edges.items()):
            print(f"   {a} -> {b}  ({refs[0][0] and os.path.relpath(refs[0][0])}:{refs[0][1]})")
    if not comps:
        print("no cycle")
        return crate.files, 0
    print(f"{len(comps)} cycle(s) (strongly connected components of more than one module):")
    for i, comp in enumerate(comps, 1):
        print(f"{i}. {' <-> '.join(comp)}")
        members = set(comp)
        for (a, b), refs in sorted(edges.items()):
            if a in members and b in members:
                shown = "; ".join(
                    f"{os.path.relpath(f)}:{line} {text}" for f, line, text in refs[:3]
                )
                more = f"; ... ({len(refs) - 3} more)" if len(refs) > 3 else ""
                print(f"     {a} -> {b}: {shown}{more}")
    return crate.files, len(comps)


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", nargs="*", help="a crate's src folder (default: the SDK's src)")
    parser.add_argument("--edges", action="store_true", help="list every edge too")
    parser.add_argument("--no-generated", action="store_true",
                        help="do not read code included from OUT_DIR")
    args = parser.parse_args()
    dirs = args.src or [os.path.join(here, "src")]
    for src_dir in dirs:
        roots = [os.path.join(src_dir, r) for r in ("lib.rs", "main.rs")]
        roots += sorted(glob.glob(os.path.join(src_dir, "bin", "*.rs")))
        roots = [r for r in roots if os.path.exists(r)]
        if not roots:
            print(f"{src_dir}: no lib.rs or main.rs", file=sys.stderr)
            return 2
        read = set()
        for root in roots:
            files, _ = report(src_dir, root, args)
            read |= files
        left_out = sorted(
            os.path.relpath(f)
            for f in glob.glob(os.path.join(src_dir, "**", "*.rs"), recursive=True)
            if os.path.abspath(f) not in read
        )
        if left_out:
            print(f"-- {os.path.relpath(src_dir)}: in no module tree (not read): "
                  f"{', '.join(left_out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
