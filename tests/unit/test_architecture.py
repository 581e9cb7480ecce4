"""The import rules hold: the import-linter contracts of ``pyproject.toml`` are kept, and no
module of fundops imports one that (directly or not) imports it back.

import-linter's ``acyclic_siblings`` contract checks cycles between sibling packages; this
file checks cycles between modules anywhere (grimp, which import-linter is built on), so
two views of one feature cannot import each other either.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

import fundops

ROOT = Path(fundops.__file__).resolve().parent.parent


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("fundops", cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    imported = sorted(graph.find_modules_directly_imported_by(child))
                    work.append((child, iter(imported)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _loop(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One import loop through the component's first module, for the failure message."""
    start = component[0]
    back = min((graph.find_shortest_chain(importer=m, imported=start) or () for m in
                graph.find_modules_directly_imported_by(start) if m in component), key=len)
    return " -> ".join([start, *back])


def test_no_module_imports_its_importer() -> None:
    graph = _graph()
    assert [_loop(graph, c) for c in _cycles(graph)] == []


def test_the_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's fundops, not another
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_calc_contract_names_every_other_module_of_fundops() -> None:
    """A new top-level module is forbidden to calc too (the contract lists them by name)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["id"] == "calc-pure")
    allowed = {"fundops.calc", "fundops.money", "fundops.errors", "fundops.messages"}
    missing = _graph().find_children("fundops") - allowed - set(contract["forbidden_modules"])
    assert missing == set()
