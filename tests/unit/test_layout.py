"""The house is one-way: what each package may import, checked on the source (no imports run)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _ours(imported: set[str]) -> set[str]:
    return {m for m in imported if m.split(".")[0] in ("graph", "loaders")}


@pytest.mark.parametrize("path", _modules("loaders"), ids=lambda p: p.name)
def test_loaders_only_turn_files_into_model_records(path: Path) -> None:
    allowed = {"graph.model", "graph.parsed", "graph.errors"}
    used = {m for m in _ours(_imports(path)) if m.startswith("graph")}
    assert used <= allowed, f"{path.name} imports {sorted(used - allowed)}"


@pytest.mark.parametrize("path", _modules("graph"), ids=lambda p: str(p.relative_to(ROOT)))
def test_graph_never_imports_loaders_but_in_the_cli(path: Path) -> None:
    loaders = {m for m in _imports(path) if m.split(".")[0] == "loaders"}
    if path.relative_to(ROOT).as_posix() == "graph/cli.py":
        return  # the one place that joins the parsers to graph.ingest
    assert not loaders, f"{path} imports {sorted(loaders)}"


@pytest.mark.parametrize("path", _modules("graph/ingest"), ids=lambda p: p.name)
def test_the_write_path_knows_nothing_of_the_api(path: Path) -> None:
    used = {m for m in _ours(_imports(path)) if m.startswith("graph.api")}
    assert not used, f"{path.name} imports {sorted(used)}"


@pytest.mark.parametrize("path", _modules("graph/cypher"), ids=lambda p: p.name)
def test_cypher_builders_are_pure(path: Path) -> None:
    used = {m for m in _ours(_imports(path)) if not m.startswith("graph.cypher")}
    assert not used, f"{path.name} imports {sorted(used)}"


def test_the_rules_see_the_modules() -> None:
    # A wrong ROOT would make every parametrised test above vanish instead of fail.
    assert len(_modules("loaders")) >= 8
    assert len(_modules("graph/ingest")) >= 8
    assert "graph.ingest.write" in _imports(ROOT / "graph" / "cli.py")


_CYPHER = re.compile(r"\b(MATCH|UNWIND|MERGE|OPTIONAL MATCH|DETACH DELETE|CALL db\.)\b")


@pytest.mark.parametrize(
    "path",
    [p for p in _modules("graph") if "cypher" not in p.relative_to(ROOT).parts],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_cypher_text_lives_in_graph_cypher_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings and _CYPHER.search(node.value)
    ]
    assert not texts, f"Cypher outside graph/cypher in {path}: {texts[:3]}"


def _exception_classes(path: Path) -> list[str]:
    """Classes `path` defines that derive (by name) from an exception or error class."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(base) for base in node.bases]
            if any(re.search(r"(Exception|Error|Exceeded|Missing|Refusal)$", b) for b in bases):
                found.append(node.name)
    return found


@pytest.mark.parametrize(
    "path",
    [p for p in _modules("graph") + _modules("loaders") if p != ROOT / "graph" / "errors.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_errors_are_defined_in_the_one_tree(path: Path) -> None:
    """Only graph/errors.py defines errors; a module may keep a private control-flow signal."""
    public = [name for name in _exception_classes(path) if not name.startswith("_")]
    assert not public, f"{path.relative_to(ROOT)} defines {public}: move them to graph/errors.py"
