#!/usr/bin/env python3
"""Checks that spanalloc's code flows one way (docs/layout.md).

usage: check_layout.py [ROOT]

Two rules, each failing with one line per breach (exit 1):

1. Crates depend down, never back. Each workspace crate may depend (in [dependencies], and in
   [dev-dependencies] too: a test that reaches up is a leak all the same) only on the spanalloc
   crates ALLOWED lists for it: the model imports no strategy, a strategy only the model, nothing
   under scenarios/ the harness; record nothing of ours, the judge only the record, show only the
   judge and the record. A crate missing from ALLOWED is a breach too: a new crate is placed
   in the layout on purpose.
2. No module imports its importer. Inside each library crate, every `use` and every path through
   `crate::`, `super::`, `self::` or a child module is an edge from the file that names it to the
   module it names; a circle of two or more modules fails, named with the edges that close it.
   Test code (from the first `#[cfg(test)]` or `#[cfg(all(test, …))]` on) is left out: a test module may use what it tests.

Reads the files only; needs no build and no package beyond Python's standard library.
"""
import os
import re
import sys
import tomllib

# The spanalloc crates each crate may depend on. Scenarios: the model at the bottom, strategies on
# it, the builtin list over the strategies. Results: record ← judge ← show. The harness on all.
STRATEGIES = ["spanalloc-value-copy", "spanalloc-value-shared", "spanalloc-pointer-passing", "spanalloc-pooled",
              "spanalloc-atomic-swap", "spanalloc-otel-sdk"]
SCENARIO_CRATES = ["spanalloc-model", *STRATEGIES, "spanalloc-builtin"]
RESULTS = ["spanalloc-record", "spanalloc-judge", "spanalloc-show"]
ALLOWED = {
    "spanalloc-model": [],
    **{s: ["spanalloc-model"] for s in STRATEGIES},
    "spanalloc-builtin": ["spanalloc-model", *STRATEGIES],
    "spanalloc-record": [],
    "spanalloc-judge": ["spanalloc-record"],
    "spanalloc-show": ["spanalloc-record", "spanalloc-judge"],
    "spanalloc-peak": [],
    "spanalloc": [*SCENARIO_CRATES, *RESULTS, "spanalloc-peak"],
    "spanalloc-testbin": [*SCENARIO_CRATES, *RESULTS, "spanalloc-peak", "spanalloc"],
    "custom-strategy": [*SCENARIO_CRATES, "spanalloc"],
    "spanalloc-benches": [*SCENARIO_CRATES, *RESULTS],
}

PATH = re.compile(r"\b(crate|super|self|[a-z_][a-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")


def members(root):
    with open(os.path.join(root, "Cargo.toml"), "rb") as f:
        return tomllib.load(f)["workspace"]["members"]


def dependency_breaches(root):
    out = []
    for member in members(root):
        with open(os.path.join(root, member, "Cargo.toml"), "rb") as f:
            manifest = tomllib.load(f)
        name = manifest["package"]["name"]
        deps = {**manifest.get("dependencies", {}), **manifest.get("dev-dependencies", {})}
        ours = sorted(d for d in deps if d.startswith("spanalloc"))
        if name not in ALLOWED:
            out.append(f"{member}: crate {name} has no place in the layout (add it to ALLOWED in scripts/check_layout.py)")
            continue
        for d in ours:
            if d not in ALLOWED[name]:
                out.append(f"{member}: {name} depends on {d}, which it may not (it may: {', '.join(ALLOWED[name]) or 'no spanalloc crate'})")
    return out


def modules(src):
    """Module path (tuple) for every .rs file of a library under src/, lib.rs being ()."""
    found = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            parts = rel[:-3].split(os.sep)
            if parts == ["lib"]:
                found[()] = os.path.join(src, rel)
            elif parts in (["main"],) or parts[0] == "bin":
                continue
            elif parts[-1] == "mod":
                found[tuple(parts[:-1])] = os.path.join(src, rel)
            else:
                found[tuple(parts)] = os.path.join(src, rel)
    return found


def strip(code):
    """The code without comments, string literals and test code."""
    test = re.search(r"#\[cfg\([^\]]*\btest\b", code)
    if test:
        code = code[:test.start()]
    code = re.sub(r"//[^\n]*", "", code)
    code = re.sub(r'r#*"(?:.|\n)*?"#*', '""', code)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', code)


def expand_use(tree):
    """`a::{b, c::{d, e}}` → ['a::b', 'a::c::d', 'a::c::e']."""
    tree = tree.strip()
    m = re.match(r"^(.*?)\{(.*)\}$", tree, re.S)
    if not m:
        return [re.sub(r"\s+as\s+\w+$", "", tree)]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    return [p for part in parts if part.strip() for p in expand_use(prefix + part.strip())]


def resolve(path, here, known, children):
    """The module a path names, seen from module `here`, or None when it leaves the crate."""
    segs = path.split("::")
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] == "super":
        base, rest = here, segs
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif segs[0] == "self":
        base, rest = here, segs[1:]
    elif segs[0] in children:
        base, rest = here, segs
    else:
        return None
    target = base
    for s in rest:
        if base + (s,) in known or target + (s,) in known:
            target = target + (s,)
        else:
            break
    return target


def module_edges(src):
    known = modules(src)
    edges = {}
    for mod, file in known.items():
        with open(file, encoding="utf-8") as f:
            code = strip(f.read())
        children = set(re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code, re.M))
        paths = []
        for use in re.findall(r"\buse\s+([^;]+);", code):
            paths += expand_use(use)
        body = re.sub(r"\buse\s+[^;]+;", "", code)
        paths += [m.group(1) + m.group(2) for m in PATH.finditer(body)]
        for p in paths:
            target = resolve(p.replace(" ", ""), mod, known, children)
            if target is not None and target != mod and target in known:
                edges.setdefault(mod, set()).add(target)
    return known, edges


def circles(nodes, edges):
    """Strongly connected components of two or more modules (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in nodes:
        if v not in index:
            visit(v)
    return out


def name(crate, mod):
    return "::".join((crate, *mod))


def module_breaches(root):
    out = []
    for member in members(root):
        src = os.path.join(root, member, "src")
        if not os.path.exists(os.path.join(src, "lib.rs")):
            continue
        with open(os.path.join(root, member, "Cargo.toml"), "rb") as f:
            crate = tomllib.load(f)["package"]["name"].replace("-", "_")
        known, edges = module_edges(src)
        for comp in circles(sorted(known), edges):
            inside = set(comp)
            closing = sorted(f"{name(crate, a)} → {name(crate, b)}" for a in comp for b in edges.get(a, ()) if b in inside)
            out.append(f"{member}: modules import each other: {'; '.join(closing)}")
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    problems = dependency_breaches(root) + module_breaches(root)
    for p in problems:
        print("check_layout: " + p)
    if not problems:
        print(f"check_layout: ok ({len(members(root))} crates depend down only; no module imports its importer)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
