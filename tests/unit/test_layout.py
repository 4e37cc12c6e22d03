"""The house is one-way: what each package may import, checked on the source (no imports run)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(_tree(path)):
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
    tree = _tree(path)
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
    for node in ast.walk(_tree(path)):
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


# graph/api is four rooms. The compiler (selection -> Cypher) is the innermost: it knows the kinds
# and graph/cypher, never the schema that calls it; HTTP hands documents to the Executor and never
# compiles; execution serves HTTP and never reaches back into it; the schema never speaks HTTP.
ROOMS = ("http", "execution", "schema", "compile")
FORBIDDEN = {
    "compile": ("graph.api.http", "graph.api.execution", "graph.api.schema"),
    "http": ("graph.api.compile",),
    "execution": ("graph.api.http",),
    "schema": ("graph.api.http",),
}


def _room_modules() -> list[tuple[str, Path]]:
    return [(room, path) for room in ROOMS for path in _modules(f"graph/api/{room}")]


@pytest.mark.parametrize(
    ("room", "path"),
    _room_modules(),
    ids=lambda x: str(x.relative_to(ROOT)) if isinstance(x, Path) else x,
)
def test_each_room_imports_only_what_it_may(room: str, path: Path) -> None:
    bad = sorted(m for m in _imports(path) if m.startswith(FORBIDDEN[room]))
    assert not bad, f"{path.relative_to(ROOT)} ({room}) imports {bad}"


def test_graph_api_is_its_four_rooms() -> None:
    # A module dropped at the top of graph/api would be in no room, so under no rule above.
    top = sorted(p.name for p in (ROOT / "graph" / "api").iterdir() if p.name != "__pycache__")
    assert top == sorted(["__init__.py", *ROOMS]), top
    assert all(len(_modules(f"graph/api/{room}")) >= 3 for room in ROOMS)


# graph/cypher's modules are named after the concept whose Cypher they hold (cypher/questions.py
# is the Cypher of api/schema/questions.py); each package's subcommand is its command.py.
SAME_CONCEPT = {"__init__.py", "command.py"}


def test_no_two_modules_share_a_name_for_different_concepts() -> None:
    seen: dict[str, list[str]] = {}
    for path in _modules("graph"):
        rel = path.relative_to(ROOT)
        if rel.parts[1] == "cypher" or path.name in SAME_CONCEPT:
            continue
        seen.setdefault(path.name, []).append(rel.as_posix())
    twins = {name: paths for name, paths in seen.items() if len(paths) > 1}
    assert not twins, f"one name, several rooms: {twins}; name each for its concept"


# strawberry's and graphql-core's internals are reached from one module, which pyproject.toml's
# pins were tested with; a new minor of either is checked there and nowhere else.
ADAPTER = ROOT / "graph" / "api" / "execution" / "adapter.py"
INTERNAL_NAMES = {
    "_raw_info",
    "_schema",
    "DEFINITION_BACKREF",
    "validate_document",
    "StrawberryGraphQLCoreExecutionContext",
    "FieldDetailsList",
}
INTERNAL_MODULES = ("strawberry.schema", "strawberry.utils", "graphql.execution.collect_fields")


def _internals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Attribute) and node.attr in INTERNAL_NAMES:
            found.append(node.attr)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(INTERNAL_MODULES):
                found.append(node.module)
            if node.module != "graph.api.execution.adapter":
                found += [a.name for a in node.names if a.name in INTERNAL_NAMES]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith(INTERNAL_MODULES)]
    return found


_EVERYWHERE = [p for pkg in ("graph", "tests", "bench") for p in _modules(pkg)]


@pytest.mark.parametrize(
    "path", [p for p in _EVERYWHERE if p != ADAPTER], ids=lambda p: str(p.relative_to(ROOT))
)
def test_library_internals_only_in_the_adapter(path: Path) -> None:
    found = _internals(path)
    assert not found, f"{path.relative_to(ROOT)} reaches {found}: go through {ADAPTER.name}"


def test_the_adapter_holds_the_internals() -> None:
    # Else the rule above would hold for a renamed adapter with nothing checked.
    assert {"_raw_info", "_schema", "DEFINITION_BACKREF"} <= set(_internals(ADAPTER))


# One pipeline: documents run through the app's Executor (graph/api/execution/executor.py), in
# the app, the tests and the benchmarks alike; `schema.execute` would skip its limits. Only the
# fast path's own test calls graphql-core's execute, to compare the two completions.
ONE_PIPELINE_EXCEPTIONS = {
    ROOT / "graph" / "api" / "execution" / "executor.py",
    ROOT / "tests" / "api" / "test_fastpath.py",
}


@pytest.mark.parametrize(
    "path",
    [p for p in _EVERYWHERE if p not in ONE_PIPELINE_EXCEPTIONS],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_documents_run_through_the_executor(path: Path) -> None:
    calls = [
        ast.unparse(node.func)
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
        in ("execute", "execute_sync")
        and any(k.arg in ("context_value", "variable_values") for k in node.keywords)
    ]
    assert not calls, f"{path.relative_to(ROOT)} runs documents outside the Executor: {calls}"
