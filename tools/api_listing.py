#!/usr/bin/env python3
"""The public API of the SDK crates, from rustdoc's JSON output, one line per nameable path.

    python3 tools/api_listing.py               # builds the JSON, rewrites api/<crate>.txt
    python3 tools/api_listing.py --check       # builds the JSON, exits 1 with the diff if they differ
    python3 tools/api_listing.py --no-build    # reuses the JSON of the last build (also with --check)
    python3 tools/api_listing.py --self-test   # checks the resolver on a built-in fixture, no cargo

CI runs `--check`, so every change of the public surface shows up in review as a diff of
api/*.txt (and wants a CHANGELOG line).

Why JSON: the HTML that this script used to scrape shows an item at one path only, and it
inlines another crate's items and modules re-exported by name but not a re-export of the crate
itself: the facades' `pub use acs_chat_core as sansio;` was a bare link, and nothing a user
reaches through `sansio` was listed. Here every module is walked from the crate root, `use`
items included (single, renamed, glob, and whole modules or crates): a `use` that points into
another workspace crate is looked up in that crate's own JSON (the `paths` table names the target
by crate-qualified path and kind) and expanded there, so every path a user can write is listed
under that path, e.g. `acs_chat_blocking::Error` (defined as `acs_chat_core::error::Error`). A
re-export from a crate outside the workspace (std, time, azure_core, ...) is listed by its path
only. An item reached by
several paths is declared once, at its shortest path (keeping its own name if it can); its other
paths point there (`kind path = that path`).

The listing shows what rustdoc's HTML shows a user, `#[doc(hidden)]` included. The JSON is built
with --document-hidden-items, so that an item defined in a hidden module (acs_chat_core's `error`,
`options`, ...) is in the index with its body, and the script decides hiddenness itself from each
item's `attrs` (format 57 has `{"other": "#[doc(hidden)]"}`): a hidden module, item or `use`, and
a hidden field, variant, trait item, impl block or method in an impl, are left out, and so is a
`use` (in any crate) whose target carries `#[doc(hidden)]` itself (rustdoc inlines it and strips
it). A non-hidden `use` of an item that lives in a hidden module lists the item at the `use`'s
path, expanded: `pub use error::Error;` gives `acs_chat_core::Error`, `pub use options::*;` the
non-hidden items of `options`. A struct with a hidden field shows `/* private fields */`, an enum
with a hidden variant `/* hidden variants */`, as the HTML does. Only items with `pub` visibility count
(the index also holds some `pub(crate)` ones), except the items of a private module reached
through a `pub use` or glob of it (the facades' `pub use facade::*;`). Not modelled: rustdoc also drops a trait impl
whose trait (or `for` type) is a local hidden item; acs-chat-core defines no trait.

Each item that is declared gets its declaration (attributes `#[non_exhaustive]`, `#[must_use]`,
`#[deprecated]`), then its pub fields, variants or trait items, its inherent impls with their pub
items, and its trait impls, derived ones included (a dropped derive breaks users too), with their
associated types and consts. Auto-trait and blanket impls are left out (they follow from the rest,
and from the standard library's version). Types in signatures are named by their last path
segment, as rustdoc's HTML shows them. The first line counts the listed paths (every item line,
not fields, variants or methods) and those at the crate's root.

JSON output is unstable: it needs `RUSTC_BOOTSTRAP=1 cargo rustdoc ... -- -Z unstable-options
--output-format json` on stable Rust, and its format changes between toolchains. The script
checks `format_version` and reads only FORMAT_VERSION below; any other version fails with a
message naming it, so a toolchain upgrade is a clear failure, never a silently wrong listing.
The JSON is built in its own target directory (<target>/api-json): RUSTC_BOOTSTRAP is part of
every unit's fingerprint, and sharing target/ would rebuild the dependencies (proc macros
included) for each switch between this and an ordinary build. Python 3 standard library only.
"""
import difflib
import json
import os
import re
import subprocess
import sys

# crate name -> package name; a facade's `use` of acs_chat_core is expanded from acs_chat_core.json.
CRATES = {"acs_chat_core": "acs-chat-core", "acs_chat_blocking": "acs-chat-blocking",
          "acs_chat_async": "acs-chat-async"}
FORMAT_VERSION = 57  # rustc 1.95's rustdoc
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

KIND_LABEL = {"module": "mod", "struct": "struct", "enum": "enum", "union": "union", "trait": "trait",
              "trait_alias": "trait", "function": "fn", "constant": "const", "static": "static",
              "type_alias": "type", "macro": "macro", "proc_macro": "macro", "proc_attribute": "macro",
              "proc_derive": "macro", "variant": "variant", "extern_crate": "crate"}
VALUE_KINDS = {"function", "constant", "static"}
HIDDEN = re.compile(r"#\[doc\((.*,\s*)?hidden\s*(,.*)?\)\]")
MACRO_KINDS = {"macro", "proc_macro", "proc_attribute", "proc_derive"}


def namespace(kind):
    return "value" if kind in VALUE_KINDS else "macro" if kind in MACRO_KINDS else "type"


class Crate:
    """One crate's rustdoc JSON."""

    def __init__(self, data, source):
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            sys.exit(f"{source}: rustdoc JSON format_version {version}, but tools/api_listing.py reads "
                     f"only version {FORMAT_VERSION} (rustc 1.95). The toolchain changed rustdoc's unstable "
                     f"JSON format: update the script for version {version} (see the rustdoc-types "
                     f"changelog) and regenerate api/*.txt.")
        self.index = data["index"]
        self.paths = data["paths"]
        self.external = data["external_crates"]
        self.root = str(data["root"])
        self.name = self.index[self.root]["name"]
        self.by_path = {(tuple(p["path"]), p["kind"]): key
                        for key, p in self.paths.items() if p["crate_id"] == 0}

    def kind(self, key):
        return next(iter(self.index[key]["inner"]))

    def hidden(self, key):
        """Whether the item carries `#[doc(hidden)]` itself (format 57: {"other": "#[doc(hidden)]"})."""
        item = self.index.get(str(key))
        return item is not None and any(isinstance(a, dict) and HIDDEN.fullmatch(a.get("other", ""))
                                        for a in item["attrs"])

    def shown(self, key):
        """The index entry of a member (field, variant, method, impl, trait item) rustdoc's HTML shows."""
        item = self.index.get(str(key))
        return None if item is None or self.hidden(key) else item

    def inner(self, key):
        return self.index[key]["inner"][self.kind(key)]


# A target is ("item", crate, key), ("foreign", kind, path), ("glob", kind, path) or ("missing", kind, path):
# a workspace item that its crate's JSON does not document (not expected with --document-hidden-items).
def resolve(crates, crate, key, source):
    item = crate.index.get(key)
    if item is not None and item["crate_id"] == 0:
        return ("item", crate, key)
    p = crate.paths.get(key)
    if p is None:
        return ("missing", None, source)
    name = crate.name if p["crate_id"] == 0 else crate.external[str(p["crate_id"])]["name"]
    path = "::".join(p["path"])
    if name in crates:
        found = crates[name].by_path.get((tuple(p["path"]), p["kind"]))
        return ("item", crates[name], found) if found is not None else ("missing", p["kind"], path)
    return ("foreign", p["kind"], path)


def target_kind(target):
    return target[1].kind(target[2]) if target[0] == "item" else target[1]


def module_names(crates, crate, key, chain):
    """(name, namespace) -> target for what module `key` of `crate` makes nameable."""
    explicit, globbed = {}, {}
    for child in crate.inner(key)["items"]:
        child = str(child)
        item = crate.index.get(child)
        if item is None or item["visibility"] != "public" or crate.hidden(child):
            continue
        kind = crate.kind(child)
        if kind == "use":
            use = item["inner"]["use"]
            target = resolve(crates, crate, str(use["id"]), use["source"]) if use["id"] is not None \
                else ("missing", None, use["source"])
            if not use["is_glob"] and target[0] == "item" and target[1].hidden(target[2]):
                continue  # a `use` of a hidden item: rustdoc inlines it with its doc(hidden), and strips it
            if use["is_glob"]:
                if target[0] == "item" and target_kind(target) == "module":
                    ident = (target[1].name, target[2])
                    if ident not in chain:
                        for name, found in module_names(crates, target[1], target[2], chain | {ident}).items():
                            globbed.setdefault(name, found)
                else:  # a glob of an enum or of an external module: named as written
                    explicit[("*", "glob " + use["source"])] = ("glob", target_kind(target), use["source"])
            else:
                explicit[(use["name"], namespace(target_kind(target)))] = target
        elif kind == "impl":
            continue
        elif item["crate_id"] != 0:  # an inlined item of another crate
            explicit[(item["name"], namespace(kind))] = resolve(crates, crate, child, item["name"])
        else:
            explicit[(item["name"], namespace(kind))] = ("item", crate, child)
    return {**globbed, **explicit}


def walk(crates, crate):
    """[(path segments, target)] for every path reachable from the crate root."""
    found = []

    def visit(mod_crate, key, prefix, chain):
        for (name, _), target in sorted(module_names(crates, mod_crate, key, chain).items()):
            path = prefix + [name]
            found.append((path, target))
            if target[0] == "item" and target_kind(target) == "module":
                ident = (target[1].name, target[2])
                if ident not in chain:
                    visit(target[1], target[2], path, chain | {ident})

    visit(crate, crate.root, [crate.name], {(crate.name, crate.root)})
    return found


class Render:
    """Rust-like text for rustdoc JSON's types and items."""

    def __init__(self, crate):
        self.crate = crate

    def name_of(self, path):
        text = path["path"]
        if not text:
            p = self.crate.paths.get(str(path["id"]))
            text = p["path"][-1] if p else "?"
        return text.rsplit("::", 1)[-1]

    def path(self, path):
        return self.name_of(path) + self.args(path.get("args"))

    def args(self, args):
        if not args:
            return ""
        if args == "return_type_notation":
            return "(..)"
        if "parenthesized" in args:
            p = args["parenthesized"]
            out = f" -> {self.ty(p['output'])}" if p["output"] else ""
            return f"({', '.join(self.ty(t) for t in p['inputs'])}){out}"
        a = args["angle_bracketed"]
        parts = [self.arg(x) for x in a["args"]] + [self.constraint(c) for c in a["constraints"]]
        return f"<{', '.join(parts)}>" if parts else ""

    def arg(self, arg):
        if arg == "infer":
            return "_"
        (kind, value), = arg.items()
        return value if kind == "lifetime" else self.ty(value) if kind == "type" else value["expr"]

    def constraint(self, c):
        head = c["name"] + self.args(c.get("args"))
        binding = c["binding"]
        if "equality" in binding:
            term = binding["equality"]
            return f"{head} = {self.ty(term['type']) if 'type' in term else term['constant']['expr']}"
        return f"{head}: {self.bounds(binding['constraint'])}"

    def hrtb(self, params):
        return f"for{self.generics(params)} " if params else ""

    def bound(self, b):
        (kind, value), = b.items()
        if kind == "outlives":
            return value
        if kind == "use":
            return f"use<{', '.join(next(iter(x.values())) for x in value)}>"
        modifier = {"none": "", "maybe": "?", "maybe_const": "~const "}[value["modifier"]]
        return f"{self.hrtb(value['generic_params'])}{modifier}{self.path(value['trait'])}"

    def bounds(self, bounds):
        return " + ".join(self.bound(b) for b in bounds)

    def ty(self, t):
        if t is None:
            return "()"
        if t == "infer":
            return "_"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return self.path(v)
        if kind in ("generic", "primitive"):
            return v
        if kind == "tuple":
            return f"({self.ty(v[0])},)" if len(v) == 1 else f"({', '.join(self.ty(x) for x in v)})"
        if kind == "slice":
            return f"[{self.ty(v)}]"
        if kind == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if kind == "pat":
            return self.ty(v["type"])
        if kind == "impl_trait":
            return f"impl {self.bounds(v)}"
        if kind == "dyn_trait":
            parts = [self.hrtb(p["generic_params"]) + self.path(p["trait"]) for p in v["traits"]]
            return "dyn " + " + ".join(parts + ([v["lifetime"]] if v["lifetime"] else []))
        if kind == "raw_pointer":
            return f"*{'mut' if v['is_mutable'] else 'const'} {self.ty(v['type'])}"
        if kind == "borrowed_ref":
            lifetime = f"{v['lifetime']} " if v["lifetime"] else ""
            return f"&{lifetime}{'mut ' if v['is_mutable'] else ''}{self.ty(v['type'])}"
        if kind == "qualified_path":
            base = f"<{self.ty(v['self_type'])} as {self.path(v['trait'])}>" if v["trait"] else self.ty(v["self_type"])
            return f"{base}::{v['name']}{self.args(v.get('args'))}"
        if kind == "function_pointer":
            sig = v["sig"]
            inputs = ", ".join(self.ty(t) for _, t in sig["inputs"]) + (", ..." if sig["is_c_variadic"] else "")
            out = f" -> {self.ty(sig['output'])}" if sig["output"] else ""
            return f"{self.hrtb(v['generic_params'])}{self.header(v['header'])}fn({inputs}){out}"
        raise SystemExit(f"api_listing: type kind {kind!r} not handled (format_version {FORMAT_VERSION})")

    def generics(self, params):
        out = []
        for p in params:
            (kind, v), = p["kind"].items()
            if kind == "lifetime":
                out.append(p["name"] + (f": {' + '.join(v['outlives'])}" if v["outlives"] else ""))
            elif kind == "type":
                if v["is_synthetic"]:
                    continue
                text = p["name"] + (f": {self.bounds(v['bounds'])}" if v["bounds"] else "")
                out.append(text + (f" = {self.ty(v['default'])}" if v["default"] else ""))
            else:
                out.append(f"const {p['name']}: {self.ty(v['type'])}" + (f" = {v['default']}" if v["default"] else ""))
        return f"<{', '.join(out)}>" if out else ""

    def where(self, generics):
        out = []
        for pred in generics["where_predicates"]:
            (kind, v), = pred.items()
            if kind == "bound_predicate":
                if v["bounds"]:
                    out.append(f"{self.hrtb(v['generic_params'])}{self.ty(v['type'])}: {self.bounds(v['bounds'])}")
            elif kind == "lifetime_predicate":
                out.append(f"{v['lifetime']}: {' + '.join(v['outlives'])}")
            else:
                rhs = v["rhs"]
                out.append(f"{self.ty(v['lhs'])} = {self.ty(rhs['type']) if 'type' in rhs else rhs['constant']['expr']}")
        return f" where {', '.join(out)}" if out else ""

    @staticmethod
    def header(h):
        abi = h["abi"]
        extern = "" if abi == "Rust" else f'extern "{abi if isinstance(abi, str) else next(iter(abi))}" '
        return ("const " if h["is_const"] else "") + ("async " if h["is_async"] else "") + \
            ("unsafe " if h["is_unsafe"] else "") + extern

    @staticmethod
    def attrs(item):
        out = []
        for a in item["attrs"]:
            if a == "non_exhaustive":
                out.append("#[non_exhaustive]")
            elif isinstance(a, dict) and "must_use" in a:
                reason = a["must_use"]["reason"]
                out.append(f"#[must_use = {json.dumps(reason)}]" if reason else "#[must_use]")
        if item.get("deprecation"):
            out.append("#[deprecated]")
        return "".join(x + " " for x in out)

    @staticmethod
    def vis(item):
        return "pub " if item["visibility"] == "public" else ""

    def function(self, item, in_trait=False):
        f = item["inner"]["function"]
        params = []
        for name, t in f["sig"]["inputs"]:
            if name == "self":
                if t == {"generic": "Self"}:
                    params.append("self")
                elif "borrowed_ref" in t and t["borrowed_ref"]["type"] == {"generic": "Self"}:
                    params.append(self.ty(t).replace("Self", "self"))
                else:
                    params.append(f"self: {self.ty(t)}")
            else:
                params.append(f"{name}: {self.ty(t)}")
        if f["sig"]["is_c_variadic"]:
            params.append("...")
        out = f" -> {self.ty(f['sig']['output'])}" if f["sig"]["output"] else ""
        body = (" { .. }" if f["has_body"] else ";") if in_trait else ""
        return (f"{self.attrs(item)}{self.vis(item)}{self.header(f['header'])}fn {item['name']}"
                f"{self.generics(f['generics']['params'])}({', '.join(params)}){out}{self.where(f['generics'])}{body}")

    def assoc(self, item, in_trait=False):
        kind, v = next(iter(item["inner"].items()))
        if kind == "function":
            return self.function(item, in_trait)
        if kind == "assoc_const":
            value = f" = {v['value']}" if v["value"] not in (None, "_") and not in_trait else ""
            return f"{self.attrs(item)}{self.vis(item)}const {item['name']}: {self.ty(v['type'])}{value}" + (";" if in_trait else "")
        bounds = f": {self.bounds(v['bounds'])}" if v["bounds"] else ""
        value = f" = {self.ty(v['type'])}" if v["type"] else ""
        return (f"{self.attrs(item)}{self.vis(item)}type {item['name']}{self.generics(v['generics']['params'])}"
                f"{bounds}{value}{self.where(v['generics'])}" + (";" if in_trait else ""))

    def impl_header(self, v):
        trait = ""
        if v["trait"]:
            trait = ("!" if v["is_negative"] else "") + self.path(v["trait"]) + " for "
        return (f"{'unsafe ' if v['is_unsafe'] else ''}impl{self.generics(v['generics']['params'])} "
                f"{trait}{self.ty(v['for'])}{self.where(v['generics'])}")

    def field(self, key):
        item = self.crate.index[key]
        return f"{self.attrs(item)}{self.vis(item)}{item['name']}: {self.ty(item['inner']['struct_field'])}"

    def tuple_field(self, key):
        item = self.crate.shown(key) if key is not None else None
        return self.ty(item["inner"]["struct_field"]) if item else "_"

    def variant(self, key):
        item = self.crate.index[key]
        v = item["inner"]["variant"]
        text = self.attrs(item) + item["name"]
        kind = v["kind"]
        if kind == "plain":
            pass
        elif "tuple" in kind:
            text += f"({', '.join(self.tuple_field(f) for f in kind['tuple'])})"
        else:
            shown = [str(f) for f in kind["struct"]["fields"] if self.crate.shown(f)]
            fields = [self.field(f) for f in shown]
            stripped = kind["struct"]["has_stripped_fields"] or len(shown) < len(kind["struct"]["fields"])
            fields += ["/* private fields */"] if stripped else []
            text += " { " + ", ".join(fields) + " }"
        if v["discriminant"]:
            text += f" = {v['discriminant']['expr']}"
        return text

    def declaration(self, key, shown_name):
        """(declaration, member lines) of a workspace item."""
        c = self.crate
        item, kind, v = c.index[key], c.kind(key), c.inner(key)
        head = self.attrs(item) + self.vis(item)
        name = item["name"]
        members = []
        if kind == "module":
            return (f"crate {name}" if v["is_crate"] else f"{head}mod {name}"), []
        if kind == "struct":
            g = v["generics"]
            decl = f"{head}struct {name}{self.generics(g['params'])}"
            sk = v["kind"]
            if sk == "unit":
                decl += f"{self.where(g)};"
            elif "tuple" in sk:
                fields = [self.tuple_field(f) for f in sk["tuple"]]
                fields = [("pub " + f if f != "_" else f) for f in fields]
                decl += f"({', '.join(fields)}){self.where(g)};"
            else:
                shown = [str(f) for f in sk["plain"]["fields"] if c.shown(f)]
                stripped = sk["plain"]["has_stripped_fields"] or len(shown) < len(sk["plain"]["fields"])
                decl += self.where(g) + (" { /* private fields */ }" if stripped else " { .. }")
                members = ["  " + self.field(f) for f in shown]
            return decl, members + self.impls(v["impls"])
        if kind == "union":
            g = v["generics"]
            shown = [str(f) for f in v["fields"] if c.shown(f)]
            stripped = v["has_stripped_fields"] or len(shown) < len(v["fields"])
            decl = f"{head}union {name}{self.generics(g['params'])}{self.where(g)}" + \
                (" { /* private fields */ }" if stripped else " { .. }")
            return decl, ["  " + self.field(f) for f in shown] + self.impls(v["impls"])
        if kind == "enum":
            g = v["generics"]
            shown = [str(x) for x in v["variants"] if c.shown(x)]
            stripped = v["has_stripped_variants"] or len(shown) < len(v["variants"])
            decl = f"{head}enum {name}{self.generics(g['params'])}{self.where(g)}" + \
                (" { .., /* hidden variants */ }" if stripped else " { .. }")
            return decl, ["  " + self.variant(x) for x in shown] + self.impls(v["impls"])
        if kind == "trait":
            g = v["generics"]
            supers = f": {self.bounds(v['bounds'])}" if v["bounds"] else ""
            decl = (f"{head}{'unsafe ' if v['is_unsafe'] else ''}{'auto ' if v['is_auto'] else ''}trait {name}"
                    f"{self.generics(g['params'])}{supers}{self.where(g)} {{ .. }}")
            members = ["  " + self.assoc(c.index[str(x)], in_trait=True) for x in v["items"] if c.shown(x)]
            implementors = sorted("  " + self.impl_header(c.inner(str(i))) for i in v["implementations"]
                                  if c.shown(i) and not c.inner(str(i))["is_synthetic"])
            return decl, members + implementors
        if kind == "trait_alias":
            return f"{head}trait {name}{self.generics(v['generics']['params'])} = {self.bounds(v['params'])};", []
        if kind == "function":
            return self.function(item), []
        if kind == "constant":
            const = v["const"]  # a non-literal's expr is "_"; its value is there if it is a plain number
            value = const["expr"] if const["expr"] != "_" else const["value"]
            return f"{head}const {name}: {self.ty(v['type'])}{' = ' + ' '.join(value.split()) if value else ''};", []
        if kind == "static":
            return (f"{head}{'unsafe ' if v['is_unsafe'] else ''}static {'mut ' if v['is_mutable'] else ''}"
                    f"{name}: {self.ty(v['type'])} = {' '.join(v['expr'].split())};"), []
        if kind == "type_alias":
            g = v["generics"]
            return f"{head}type {name}{self.generics(g['params'])} = {self.ty(v['type'])}{self.where(g)};", []
        if kind == "macro":
            return " ".join(v.split()), []
        if kind in ("proc_macro", "proc_attribute", "proc_derive"):
            return f"{head}{kind} {name}", []
        return f"{head}{kind} {name}", []

    def impls(self, keys, extra=()):
        inherent, traits = [], []
        for key in [str(k) for k in keys]:
            if not self.crate.shown(key):
                continue  # a `#[doc(hidden)] impl` block
            v = self.crate.inner(key)
            if v["is_synthetic"] or v["blanket_impl"] is not None:
                continue  # auto traits (Send, Sync, Unpin, ...) and blanket impls
            members = []
            for x in v["items"]:
                member = self.crate.shown(x)
                if member is None:
                    continue
                if v["trait"] is None and member["visibility"] == "public":
                    members.append((member["name"], "    " + self.assoc(member)))
                elif v["trait"] is not None and "function" not in member["inner"]:
                    members.append((member["name"], "    " + self.assoc(member)))
            block = ["  " + self.impl_header(v)] + [line for _, line in sorted(members)]
            (traits if v["trait"] else inherent).append(block)
        blocks = sorted(inherent) + sorted(traits + list(extra))
        return [line for block in blocks for line in block]


def listing(crates, name):
    crate = crates[name]
    entries = walk(crates, crate)
    ident = lambda t: (t[0], t[1].name, t[2]) if t[0] == "item" else t
    # An item's declaration goes at its shortest path, one that keeps its own name if it can.
    rank = lambda path, target: (len(path), path[-1] != target[1].index[target[2]]["name"], path)
    primary = {}
    for path, target in entries:
        key = ident(target)
        if target[0] == "item" and (key not in primary or rank(path, target) < rank(primary[key], target)):
            primary[key] = path
    # Trait impls this crate writes for another workspace crate's types (the orphan rule allows a
    # local trait): listed with the type they are for.
    extra = {}
    for key, item in crate.index.items():
        if item["crate_id"] != 0 or "impl" not in item["inner"] or crate.hidden(key):
            continue
        v = item["inner"]["impl"]
        for_path = v["for"].get("resolved_path") if isinstance(v["for"], dict) else None
        if v["is_synthetic"] or v["blanket_impl"] is not None or not for_path or str(for_path["id"]) in crate.index:
            continue
        target = resolve(crates, crate, str(for_path["id"]), for_path["path"])
        if target[0] == "item":
            extra.setdefault(ident(target), []).append(["  " + Render(crate).impl_header(v)])
    lines, seen = [], set()
    for path, target in sorted(entries, key=lambda e: (e[0], str(target_kind(e[1])))):
        text = "::".join(path)
        label = KIND_LABEL.get(target_kind(target), target_kind(target) or "use")
        if (text, label) in seen:
            continue
        seen.add((text, label))
        if target[0] == "item":
            key = ident(target)
            if primary[key] != path:
                lines.append(f"{label} {text} = {'::'.join(primary[key])}")
                continue
            render = Render(target[1])
            decl, members = render.declaration(target[2], path[-1])
            if key in extra:
                members = members + render.impls([], extra[key])
            lines.append(f"{label} {text}: {decl}")
            lines.extend(members)
        elif target[0] == "foreign":
            lines.append(f"{label} {text} = {target[2]} (external crate: not expanded)")
        elif target[0] == "glob":
            lines.append(f"use {text} = {target[2]}::* (glob of {target[1] or 'an item'}: not expanded)")
        else:
            lines.append(f"{label} {text} = {target[2]} (not in rustdoc's JSON: not expanded)")
    count = len(seen)
    root = sum(1 for text, _ in seen if text.count("::") == 1)
    return [f"# {name}: {count} public items ({root} at the root)"] + lines


def target_dir():
    out = subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"], cwd=ROOT,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return os.path.join(json.loads(out)["target_directory"], "api-json")


def build(json_target):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1", CARGO_TARGET_DIR=json_target)
    for package in CRATES.values():  # one at a time
        print(f"api_listing: rustdoc JSON of {package}", file=sys.stderr, flush=True)
        command = ["cargo", "rustdoc", "--quiet", "--lib", "-p", package, "--all-features", "--",
                   "-Z", "unstable-options", "--output-format", "json", "--document-hidden-items"]
        if subprocess.run(command, cwd=ROOT, env=env).returncode != 0:
            sys.exit(f"api_listing: `RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR={json_target} {' '.join(command)}` failed")


def load(json_target):
    crates = {}
    for name in CRATES:
        path = os.path.join(json_target, "doc", f"{name}.json")
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: run `python3 tools/api_listing.py` without --no-build")
        with open(path, encoding="utf-8") as f:
            crates[name] = Crate(json.load(f), path)
    return crates


def self_test():
    """The resolver on a fixture shaped like rustc 1.95's output: a core crate and a facade."""
    def item(key, name, inner, crate_id=0, visibility="public", attrs=()):
        return key, {"id": int(key), "crate_id": crate_id, "name": name, "visibility": visibility,
                     "attrs": list(attrs), "deprecation": None, "inner": inner}

    def module(items, is_crate=False):
        return {"module": {"is_crate": is_crate, "items": items, "is_stripped": False}}

    def use(source, name, target, glob=False):
        return {"use": {"source": source, "name": name, "id": target, "is_glob": glob}}

    def impl(for_id, for_name, trait=None, synthetic=False, blanket=None, items=(), attrs=()):
        return {"impl": {"is_unsafe": False, "generics": {"params": [], "where_predicates": []},
                         "provided_trait_methods": [], "trait": trait,
                         "for": {"resolved_path": {"path": for_name, "id": for_id, "args": None}},
                         "items": list(items), "is_negative": False, "is_synthetic": synthetic,
                         "blanket_impl": blanket}}
    no_generics = {"params": [], "where_predicates": []}
    fn_inner = {"function": {"sig": {"inputs": [["self", {"borrowed_ref": {"lifetime": None, "is_mutable": False, "type": {"generic": "Self"}}}]],
                                     "output": {"primitive": "bool"}, "is_c_variadic": False},
                             "generics": no_generics, "has_body": True,
                             "header": {"is_const": False, "is_unsafe": False, "is_async": False, "abi": "Rust"}}}
    hidden = [{"other": "#[doc(hidden)]"}]
    core = dict([
        item("0", "core", module([1, 9, 10, 12, 14, 15, 18], is_crate=True)),
        item("1", "retry", module([2, 3])),
        item("2", "RetryDecision", {"enum": {"generics": no_generics, "has_stripped_variants": False,
                                             "variants": [4, 26], "impls": [5, 6, 7, 8]}}, attrs=["non_exhaustive"]),
        item("3", "RETRYABLE", {"constant": {"type": {"primitive": "u16"}, "const": {"expr": "429", "value": None, "is_literal": True}}}),
        item("4", "Retry", {"variant": {"kind": "plain", "discriminant": None}}, visibility="default"),
        item("5", None, impl(2, "RetryDecision", items=[11]), visibility="default"),
        item("6", None, impl(2, "RetryDecision", trait={"path": "Send", "id": 90, "args": None}, synthetic=True), visibility="default"),
        item("7", None, impl(2, "RetryDecision", trait={"path": "Into", "id": 91, "args": None}, blanket={"generic": "T"}), visibility="default"),
        item("8", None, impl(2, "RetryDecision", trait={"path": "Clone", "id": 92, "args": None}), visibility="default", attrs=["automatically_derived"]),
        item("9", None, use("retry::RetryDecision", "RetryDecision", 2)),
        item("10", None, use("std::time::Duration", "Duration", 93)),
        item("11", "is_retry", fn_inner, attrs=[{"must_use": {"reason": None}}]),
        # `#[doc(hidden)] pub mod machinery { pub struct Exposed {..}; pub struct Internal; }`, with
        # `pub use machinery::Exposed;` and `#[doc(hidden)] pub use machinery::Internal;` at the root
        item("12", "machinery", module([13, 16, 17]), attrs=hidden),
        item("13", "Exposed", {"struct": {"kind": {"plain": {"fields": [19, 20], "has_stripped_fields": False}},
                                          "generics": no_generics, "impls": [21, 24]}}),
        item("14", None, use("machinery::Exposed", "Exposed", 13)),
        item("15", None, use("machinery::Internal", "Internal", 16), attrs=hidden),
        item("16", "Internal", {"struct": {"kind": "unit", "generics": no_generics, "impls": []}}),
        item("17", "Hidden", {"struct": {"kind": "unit", "generics": no_generics, "impls": []}}, attrs=hidden),
        item("18", "SDK_VERSION", {"constant": {"type": {"primitive": "str"}, "const": {"expr": "1", "value": None, "is_literal": True}}}, attrs=hidden),
        item("19", "limit", {"struct_field": {"primitive": "u64"}}),
        item("20", "body_limit", {"struct_field": {"primitive": "u64"}}, attrs=hidden),
        item("21", None, impl(13, "Exposed", items=[22, 23]), visibility="default"),
        item("22", "is_open", fn_inner),
        item("23", "transport", fn_inner, attrs=hidden),                       # hidden method
        item("24", None, impl(13, "Exposed", items=[25]), visibility="default", attrs=hidden),  # hidden impl
        item("25", "internal", fn_inner),
        item("26", "Internal", {"variant": {"kind": "plain", "discriminant": None}}, visibility="default", attrs=hidden),
    ])
    core_paths = {"0": ["core"], "1": ["core", "retry"], "2": ["core", "retry", "RetryDecision"],
                  "3": ["core", "retry", "RETRYABLE"], "12": ["core", "machinery"],
                  "13": ["core", "machinery", "Exposed"], "16": ["core", "machinery", "Internal"],
                  "17": ["core", "machinery", "Hidden"]}
    kinds = {"0": "module", "1": "module", "2": "enum", "3": "constant", "12": "module", "13": "struct", "16": "struct",
             "17": "struct"}
    facade = dict([
        item("0", "facade", module([1, 2, 3, 4, 5, 8, 9], is_crate=True)),
        item("1", None, use("core", "sansio", 50)),             # whole crate
        item("2", None, use("core::retry", "retry", 51, glob=True)),
        item("3", None, use("core::RetryDecision", "Decision", 52)),
        item("4", None, use("core::gone::Missing", "Missing", 53)),   # not in core's JSON
        item("5", None, use("inner", "inner", 6, glob=True)),    # private module, globbed
        item("6", "inner", module([7]), visibility="crate"),
        item("7", "Client", {"struct": {"kind": "unit", "generics": no_generics, "impls": []}}),
        item("8", None, use("core::Exposed", "Exposed", 54)),   # defined in a hidden module of core
        item("9", None, use("core::machinery::Hidden", "Hidden", 55)),  # a hidden item of core
    ])
    facade_paths = {"50": (1, ["core"], "module"), "51": (1, ["core", "retry"], "module"),
                    "52": (1, ["core", "retry", "RetryDecision"], "enum"),
                    "53": (1, ["core", "gone", "Missing"], "struct"),
                    "54": (1, ["core", "machinery", "Exposed"], "struct"),
                    "55": (1, ["core", "machinery", "Hidden"], "struct"),
                    "7": (0, ["facade", "inner", "Client"], "struct")}
    crates = {
        "core": Crate({"format_version": FORMAT_VERSION, "root": 0, "index": core, "external_crates": {"1": {"name": "std"}},
                       "paths": {**{k: {"crate_id": 0, "path": p, "kind": kinds[k]} for k, p in core_paths.items()},
                                 "93": {"crate_id": 1, "path": ["core", "time", "Duration"], "kind": "struct"}}}, "core"),
        "facade": Crate({"format_version": FORMAT_VERSION, "root": 0, "index": facade, "external_crates": {"1": {"name": "core"}},
                         "paths": {k: {"crate_id": c, "path": p, "kind": kind} for k, (c, p, kind) in facade_paths.items()}}, "facade"),
    }
    got = listing(crates, "core") + listing(crates, "facade")
    # In core: the hidden module `machinery`, the hidden `use` of Internal, the hidden const, field
    # (body_limit), variant, method (transport) and impl block are left out; Exposed, defined in the
    # hidden module and re-exported by a plain `pub use`, is listed at the root, expanded. The
    # facade's `use` of a hidden item of core (Hidden) is left out too.
    want = [
        "# core: 6 public items (4 at the root)",
        "struct core::Duration = core::time::Duration (external crate: not expanded)",
        "struct core::Exposed: pub struct Exposed { /* private fields */ }",
        "  pub limit: u64",
        "  impl Exposed",
        "    pub fn is_open(&self) -> bool",
        "enum core::RetryDecision: #[non_exhaustive] pub enum RetryDecision { .., /* hidden variants */ }",
        "  Retry",
        "  impl RetryDecision",
        "    #[must_use] pub fn is_retry(&self) -> bool",
        "  impl Clone for RetryDecision",
        "mod core::retry: pub mod retry",
        "const core::retry::RETRYABLE: pub const RETRYABLE: u16 = 429;",
        "enum core::retry::RetryDecision = core::RetryDecision",
        "# facade: 13 public items (7 at the root)",
        "struct facade::Client: pub struct Client;",
        "enum facade::Decision = facade::RetryDecision",
        "struct facade::Exposed: pub struct Exposed { /* private fields */ }",
        "  pub limit: u64",
        "  impl Exposed",
        "    pub fn is_open(&self) -> bool",
        "struct facade::Missing = core::gone::Missing (not in rustdoc's JSON: not expanded)",
        "const facade::RETRYABLE: pub const RETRYABLE: u16 = 429;",
        "enum facade::RetryDecision: #[non_exhaustive] pub enum RetryDecision { .., /* hidden variants */ }",
        "  Retry",
        "  impl RetryDecision",
        "    #[must_use] pub fn is_retry(&self) -> bool",
        "  impl Clone for RetryDecision",
        "mod facade::sansio: crate core",
        "struct facade::sansio::Duration = core::time::Duration (external crate: not expanded)",
        "struct facade::sansio::Exposed = facade::Exposed",
        "enum facade::sansio::RetryDecision = facade::RetryDecision",
        "mod facade::sansio::retry: pub mod retry",
        "const facade::sansio::retry::RETRYABLE = facade::RETRYABLE",
        "enum facade::sansio::retry::RetryDecision = facade::RetryDecision",
    ]
    if got != want:
        sys.stdout.writelines(difflib.unified_diff([l + "\n" for l in want], [l + "\n" for l in got], "expected", "got"))
        sys.exit("api_listing self-test failed")
    try:
        Crate({"format_version": FORMAT_VERSION + 1}, "fixture.json")
    except SystemExit as e:
        assert f"format_version {FORMAT_VERSION + 1}" in str(e), e
    else:
        sys.exit("api_listing self-test failed: an unknown format_version was accepted")
    print("api_listing self-test passed")


def main():
    args = set(sys.argv[1:])
    unknown = args - {"--check", "--no-build", "--self-test"}
    if unknown:
        sys.exit(f"unknown argument(s) {' '.join(sorted(unknown))}; see the docstring of {sys.argv[0]}")
    if "--self-test" in args:
        return self_test()
    check = "--check" in args
    json_target = target_dir()
    if "--no-build" not in args:
        build(json_target)
    crates = load(json_target)
    changed = False
    for name in CRATES:
        path = os.path.join(ROOT, "api", f"{name}.txt")
        new = "\n".join(listing(crates, name)) + "\n"
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        if new == old:
            continue
        changed = True
        if check:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), f"api/{name}.txt (checked in)", f"api/{name}.txt (this build)"))
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"wrote api/{name}.txt")
    if check and changed:
        print("\nThe public API changed: run `python3 tools/api_listing.py`, commit api/*.txt,"
              " and add a line to CHANGELOG.md saying what changed.")
        sys.exit(1)


if __name__ == "__main__":
    main()
