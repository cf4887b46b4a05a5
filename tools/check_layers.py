#!/usr/bin/env python3
"""Checks the module layering of crates/acs-emulator/src: no import points up a layer, no cycle.

    python3 tools/check_layers.py [--src DIR] [--graph]   # exit 1, one line per violation
    python3 tools/check_layers.py --src crates/acs-chat-core/src --cycles-only
    python3 tools/check_layers.py --self-test

`--cycles-only` checks a crate without a layer table (acs-chat-core) for import cycles only. Its
lib.rs only declares and re-exports, so it is left out of the graph, and an import through a
root re-export (`crate::Error`) counts for the module that defines the name; a module's imports
of its own children (`mod x; pub use x::Y;`) are declarations, not dependencies; `#[cfg(test)]`
modules are not part of the library.

It reads the sources only (no cargo), so it runs in a blink, before or beside a build. An
import is a `crate::`, `super::` or `self::` path anywhere in code (a `use` tree or inline),
or a bare path into a child the file declares with `mod x;` (how a mod.rs re-exports); it
counts for the longest module *file* it names. main.rs is a separate binary crate: skipped.
"""
import argparse
import bisect
import os
import re
import sys
import tempfile

# Bottom layer first: a module may use its own layer and those below. lib.rs sits above all.
LAYERS = [
    ["support", "wire"],  # support: leaf helpers; wire: the service's JSON
    ["domain", "events"],  # domain: state, limits, Change, tokens, rate rules, no I/O;
    #                        events: the pure Event Grid model
    ["persist"],  # commit log + SQLite, taking narrow inputs (not the App)
    ["app"],  # app.rs: the hub
    ["delivery"],  # webhook delivery tasks
    ["api"],  # the ACS REST API handlers
    ["http"],  # router, admin routes, console
    ["server"],  # listener, TLS, builder
]
LAYER_OF = {m: i for i, mods in enumerate(LAYERS) for m in mods}
LAYER_OF[""] = len(LAYERS)  # the crate root (lib.rs): a `crate::X` re-export lives up here

# What can hide a `crate::` path, tried left to right: comments, (raw, byte) strings, char
# literals; identifiers are matched only so that an `r` or `b` inside one starts no string.
LEXEME = re.compile(r'''//[^\n]*|/\*|b?r(#*)".*?"\1|b?"(?:\\.|[^"\\])*"'''
                    r"|b?'(?:\\(?:u\{[^}]*\}|x\w\w|.)|[^\\'\n])'|\w+", re.S)
TOKEN = re.compile(r"\d\w*|\$?(?:r#)?[A-Za-z_]\w*|::|\S")


def strip(text):
    """Blanks comments, strings and char literals but keeps offsets and newlines, so a
    `crate::` in a doc comment or a message is no import and line numbers stay right.
    A lone ' (a lifetime or a label) matches nothing here and is left alone."""
    out, i = [], 0
    while m := LEXEME.search(text, i):
        end = m.end()
        if m.group() == "/*":  # Rust block comments nest
            depth = 1
            while depth and end < len(text):
                step = text.startswith(("/*", "*/"), end)
                depth += step and (1 if text.startswith("/*", end) else -1)
                end += 2 if step else 1
        hides = not re.fullmatch(r"\w+", m.group())
        out += [text[i:m.start()], re.sub(r"[^\n]", " ", text[m.start():end]) if hides
                else text[m.start():end]]
        i = end
    return "".join(out) + text[i:]


def module_of(rel):
    """src/a/b.rs -> a::b, src/a/mod.rs -> a, src/lib.rs -> '' (the root)."""
    parts = rel[:-3].split(os.sep)
    return "::".join(parts[:-1] if parts[-1] in ("mod", "lib") else parts)


def show(mod):
    return mod or "crate"


def use_leaves(toks, i, prefix):
    """Walks one path or use tree from toks[i]; returns (leaves, next index), a leaf being a
    segment list and the index of its last token (for its line)."""
    segs, leaves = list(prefix), []
    while True:
        t = toks[i][0]
        if t == "{":  # a group: every member extends the path so far, nesting included
            i += 1
            while toks[i][0] not in ("}", ""):
                sub, j = use_leaves(toks, i, segs)
                leaves, i = leaves + sub, max(j, i + 1)
                i += toks[i][0] == ","
            return leaves, i + 1
        if t == "*" or not re.match(r"\$?[A-Za-z_]", t):  # a glob, `::<T>` or the path's end
            return leaves + [(segs, i - 1)], i + (t == "*")
        segs.append(t)
        if toks[i + 1][0] != "::":
            i += 3 if toks[i + 1][0] == "as" else 1  # `X as Y` imports X
            return leaves + [(segs, i - 1)], i
        i += 2


def imports(src, rel, modules, skip_tests=False):
    """Every import of one file as (line, path as written, target module)."""
    code = strip(open(os.path.join(src, rel), encoding="utf-8").read())
    if skip_tests:  # blank out `#[cfg(test)] mod x { .. }`, keeping the line count
        for m in reversed(list(re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", code))):
            depth, j = 1, m.end()
            while depth and j < len(code):
                depth += {"{": 1, "}": -1}.get(code[j], 0)
                j += 1
            code = code[:m.start()] + re.sub(r"[^\n]", " ", code[m.start():j]) + code[j:]
    newlines = [m.start() for m in re.finditer("\n", code)]
    here = module_of(rel).split("::") if module_of(rel) else []
    # In an inline `mod tests { .. }` `super` is the file's own module, so track those scopes.
    scopes = []
    for m in re.finditer(r"\bmod\s+(\w+)\s*\{", code):
        depth, j = 1, m.end()
        while depth and j < len(code):
            depth += {"{": 1, "}": -1}.get(code[j], 0)
            j += 1
        scopes.append((m.start(), j, m.group(1)))
    children = set(re.findall(r"\bmod\s+(\w+)\s*;", code))
    toks = [(m.group(), m.start()) for m in TOKEN.finditer(code)] + [("", len(code))] * 4
    found, i = [], 0
    while i < len(toks) - 4:
        t, prev = toks[i][0], toks[i - 1][0] if i else ""
        if (t not in ("crate", "$crate", "super", "self") and t not in children
                or toks[i + 1][0] != "::" or prev in ("::", ".")
                or prev == "in" and toks[i - 2][0] == "("):  # `pub(in crate::x)` uses nothing
            i += 1
            continue
        leaves, i = use_leaves(toks, i, [])
        for segs, end in leaves:
            if segs[0] in ("crate", "$crate"):
                path, rest = [], segs[1:]
            elif segs[0] in ("self", "super"):
                path = here + [s for a, b, s in scopes if a <= toks[end][1] < b]
                rest = segs
                while rest[:1] == ["self"] or rest[:1] == ["super"] and path:
                    path, rest = (path[:-1] if rest[0] == "super" else path), rest[1:]
            else:  # a child declared with `mod x;`
                path, rest = list(here), segs
            path += [s for s in rest if s != "self"]
            while path and "::".join(path) not in modules:  # the longest module file named
                path.pop()
            line = bisect.bisect_left(newlines, toks[end][1]) + 1
            found.append((line, "::".join(segs), "::".join(path)))
    return found


def components(nodes, edges):
    """Strongly connected components with more than one member (a small graph: reachability)."""
    succ = {n: {b for a, b in edges if a == n} for n in nodes}
    reach = {}
    for n in nodes:
        seen, todo = set(), [n]
        while todo:
            new = succ[todo.pop()] - seen
            seen |= new
            todo += new
        reach[n] = seen
    sccs = {tuple(sorted(w for w in reach[n] if n in reach[w])) for n in nodes if n in reach[n]}
    return sorted(sccs)


DEFINES = re.compile(r"\bpub\s+(?:struct|enum|trait|type|fn|const|static)\s+(\w+)")


def check(src, cycles_only=False):
    """Returns (violations, edges {(from, to): (rel, first line)}, import count, file count)."""
    files = {}
    for root, _, names in os.walk(src):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), src)
            if name.endswith(".rs") and rel != "main.rs":
                files[module_of(rel)] = rel
    shown = src if os.path.relpath(src).startswith("..") else os.path.relpath(src)
    where = lambda rel, line: f"{os.path.join(shown, rel)}:{line}"
    bad, edges, count = [], {}, 0
    defined_in = {}
    if cycles_only:
        for mod, rel in sorted(files.items(), key=lambda kv: kv[1]):
            if mod:
                for name in DEFINES.findall(strip(open(os.path.join(src, rel), encoding="utf-8").read())):
                    defined_in.setdefault(name, mod)
    for mod, rel in sorted(files.items(), key=lambda kv: kv[1]):
        top = mod.split("::")[0]
        if cycles_only and not mod:
            continue
        if top not in LAYER_OF and not cycles_only:
            bad.append(f"{where(rel, 1)}: module not in the layer table ({show(mod)} -> -)")
        for line, text, target in imports(src, rel, files, skip_tests=cycles_only):
            if cycles_only and mod and target.startswith(mod + "::"):
                continue  # a parent declaring or re-exporting its child
            if cycles_only and not target:
                parts = text.split("::")
                target = defined_in.get(parts[1], "") if len(parts) > 1 else ""
                if not target:
                    continue
            if target == mod:
                continue
            count += 1
            edges.setdefault((mod, target), (rel, line))
            to = target.split("::")[0]
            if not cycles_only and mod and LAYER_OF.get(to, -1) > LAYER_OF.get(top, len(LAYERS)):
                bad.append(f"{where(rel, line)}: upward import {text}: layer {LAYER_OF[top]} "
                           f"({top}) may not use layer {LAYER_OF[to]} ({show(to)}) "
                           f"({show(mod)} -> {show(target)})")
    for n, scc in enumerate(components(files, edges), 1):
        bad.append(f"cycle {n} among {len(scc)} files: {', '.join(map(show, scc))}")
        for (a, b), (rel, line) in sorted(edges.items()):
            if a in scc and b in scc:
                bad.append(f"{where(rel, line)}: import inside cycle {n} ({show(a)} -> {show(b)})")
    return bad, edges, count, len(files)


def self_test():
    clean = {
        "lib.rs": "mod support; mod wire; mod domain; mod app; mod http;\npub use domain::State;\n",
        "main.rs": "use acs_emulator::Emulator; use crate::http::X;\n",  # skipped
        "support/mod.rs": "pub(crate) fn helper() {}\n",
        "wire/mod.rs": "pub(crate) struct Identifier;\npub(crate) mod text {}\n",
        "domain/mod.rs": "mod state;\npub(crate) use state::State;\n",
        "domain/state.rs": "use crate::wire::Identifier;\nuse crate::support::helper;\n"
                           "pub struct State<'a>(&'a str);\n#[cfg(test)]\nmod tests {\n"
                           "    use super::*;\n}\n",  # `super` here is domain::state itself
        "app.rs": "use crate::domain::State;\npub struct App;\n",
        "http/mod.rs": "pub(crate) mod console;\n",
        "http/console.rs": "use crate::app::App;\npub struct Page;\n",
    }

    def run(changes):
        with tempfile.TemporaryDirectory() as src:
            for rel, text in {**clean, **changes}.items():
                os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
                with open(os.path.join(src, rel), "w", encoding="utf-8") as f:
                    f.write(text)
            bad, edges, _, _ = check(src)
            return [b.split(src + os.sep)[-1] for b in bad], set(edges)

    bad, edges = run({})
    assert bad == [] and ("domain::state", "domain") not in edges, (bad, edges)
    bad, _ = run({"domain/state.rs": clean["domain/state.rs"] + "use crate::http::console::Page;\n"})
    assert bad[0].startswith("domain/state.rs:8: upward import crate::http::console::Page"), bad
    assert bad[0].endswith("(domain::state -> http::console)"), bad
    bad, _ = run({"domain/mod.rs": "mod state; mod a; mod b;\npub(crate) use state::State;\n",
                  "domain/a.rs": "pub struct Y;\nfn f() { crate::domain::b::X; }\n",
                  "domain/b.rs": "pub struct X;\nuse super::a::Y;\n"})
    assert bad == ["cycle 1 among 2 files: domain::a, domain::b",
                   "domain/a.rs:2: import inside cycle 1 (domain::a -> domain::b)",
                   "domain/b.rs:2: import inside cycle 1 (domain::b -> domain::a)"], bad
    hidden = ("// use crate::http::A;\n/// crate::http::B\n//! crate::http::C\n"
              "/* crate::http /* nested */ crate::http::D */\n"
              'const S: &str = "crate::http::E \\" crate::http::F";\n'
              'const R: &str = r#"crate::http::G " crate::http::H"#;\n'
              "const Q: char = '\"'; fn g<'a>(x: &'a str) {}\nuse crate::wire::Identifier;\n"
              'const T: &str = "";\n')  # without char literals, '"' would hide the `use`
    bad, edges = run({"domain/state.rs": hidden})
    assert bad == [] and ("domain::state", "wire") in edges, (bad, edges)
    bad, edges = run({"http/console.rs": "use crate::{app::App, wire::{Identifier, text}};\n"})
    assert bad == [] and {e for e in edges if e[0] == "http::console"} == {
        ("http::console", "app"), ("http::console", "wire")}, edges
    # A mod.rs re-exporting its child, which uses the mod.rs back through `super`: a cycle.
    bad, _ = run({"domain/mod.rs": clean["domain/mod.rs"] + "pub struct Z;\n",
                  "domain/state.rs": "use super::Z;\npub struct State;\n"})
    assert bad[0] == "cycle 1 among 2 files: domain, domain::state", bad
    print("self-test: 6 cases passed")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=os.path.join(here, "..", "crates", "acs-emulator", "src"))
    parser.add_argument("--graph", action="store_true", help="print every edge `from -> to`")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--cycles-only", action="store_true",
                        help="no layer table: report import cycles only")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    bad, edges, count, files = check(os.path.normpath(args.src), args.cycles_only)
    if args.graph:
        for a, b in sorted(edges):
            print(f"{show(a)} -> {show(b)}")
    if args.cycles_only:
        print("\n".join(bad) if bad else f"{files} files, {count} imports, no cycle")
    else:
        print("\n".join(bad) if bad else f"layers: {files} files, {count} imports, "
              f"{len(LAYERS)} layers, no upward import, no cycle")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
