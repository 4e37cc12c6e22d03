"""Reading one YAML file into dicts and lists that remember the line and column of every item."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from graph.errors import Problem
from loaders.problems import read_text

MAX_FILE_BYTES = 50 * 1024 * 1024
# Anchors and aliases may repeat a block, but not blow a small file up into millions of values
# (the "billion laughs" shape): validation walks the expanded tree.
MAX_ALIAS_EXPANSION = 100
MIN_EXPANSION_ALLOWED = 10_000

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class Mark:
    """A position in a file, 1-based as editors show it."""

    line: int
    column: int


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class YamlMap(dict[Any, Any]):
    """A mapping that knows where it starts and where each of its keys stands."""

    mark: Mark
    marks: dict[Any, Mark]
    size: int


class YamlList(list[Any]):
    """A sequence that knows where it starts and where each of its items stands."""

    mark: Mark
    marks: list[Mark]
    size: int


@dataclass(frozen=True, slots=True)
class _DuplicateKey:
    key: Any
    at: Mark
    first: Mark


def _size(value: Any) -> int:
    return value.size if isinstance(value, YamlMap | YamlList) else 1


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds YamlMap/YamlList and records duplicate keys instead of hiding them."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[_DuplicateKey] = []
        self.nodes_written = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        # Counted before aliases are expanded: the size of the file as written.
        if not self.check_event(yaml.AliasEvent):
            self.nodes_written += 1
        return super().compose_node(parent, index)

    def construct_line_map(self, node: MappingNode) -> YamlMap:
        # Duplicates are looked for among the keys written here, not those brought in by `<<`
        # merges: overriding a merged key is what merges are for.
        own = [pair for pair in node.value if pair[0].tag != _MERGE_TAG]
        self.flatten_mapping(node)
        first_own = len(node.value) - len(own)
        out = YamlMap()
        out.mark, out.marks, out.size = _mark(node), {}, 1
        seen: dict[Any, Mark] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found an unhashable key (a list or mapping used as a key)",
                    key_node.start_mark,
                ) from None
            at = _mark(key_node)
            if index >= first_own:
                if key in seen:
                    self.duplicates.append(_DuplicateKey(key, at, seen[key]))
                seen[key] = at
            value = self.construct_object(value_node, deep=True)
            out[key] = value
            out.marks[key] = at
            out.size += _size(value)
        return out

    def construct_line_list(self, node: SequenceNode) -> YamlList:
        out = YamlList()
        out.mark, out.marks, out.size = _mark(node), [], 1
        for child in node.value:
            value = self.construct_object(child, deep=True)
            out.append(value)
            out.marks.append(_mark(child))
            out.size += _size(value)
        return out


def _without(tags: set[str]) -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    return {
        first: [(tag, regexp) for tag, regexp in pairs if tag not in tags]
        for first, pairs in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


# Dates stay strings so that pydantic, not PyYAML, judges them: PyYAML raises a bare ValueError
# without a position on "2024-13-45". Booleans follow YAML 1.2 (true/false only), so that a
# country code NO or a word like "yes" or "off" stays the text it was written as.
_LineLoader.yaml_implicit_resolvers = _without({_BOOL_TAG, _TIMESTAMP_TAG})
_LineLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_list)


def mark_at(data: Any, path: tuple[str | int, ...]) -> Mark | None:
    """Where the deepest existing item along `path` stands: a missing key points at its parent."""
    found: Mark | None = data.mark if isinstance(data, YamlMap | YamlList) else None
    for part in path:
        in_map = isinstance(data, YamlMap) and part in data
        in_list = isinstance(data, YamlList) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_map or in_list):
            break
        found, data = data.marks[part], data[part]
    return found


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _yaml_error(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    message = f"invalid YAML: {exc.problem or exc.context or 'unreadable'}"
    if exc.problem and exc.context:
        context = exc.context
        if exc.context_mark is not None:
            context += f" that starts at line {exc.context_mark.line + 1}"
        message += f" ({context})"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Problem(file, message)
    return Problem(file, message, line=mark.line + 1, column=mark.column + 1)


def _parse(text: str, file: str) -> tuple[Any, list[Problem]]:
    loader: _LineLoader | None = None
    try:
        loader = _LineLoader(text)
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, file)]
    except yaml.reader.ReaderError as exc:
        # Control characters and the like: the reader knows the offset, not the line.
        line = _line_of(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML; remove it"
        return None, [Problem(file, message, line=line)]
    except RecursionError:
        return None, [Problem(file, "invalid YAML: nested too deeply")]
    finally:
        if loader is not None:
            loader.dispose()

    problems = [
        Problem(
            file,
            f"key {d.key!r} appears twice in this mapping (first at line {d.first.line}); "
            "YAML would silently keep only the last one",
            line=d.at.line,
            column=d.at.column,
            field=str(d.key),
        )
        for d in loader.duplicates
    ]
    if data is None:
        problems.append(Problem(file, "file is empty (it holds only comments)", line=1))
    elif _size(data) > max(MAX_ALIAS_EXPANSION * loader.nodes_written, MIN_EXPANSION_ALLOWED):
        message = (
            f"aliases expand this file to {_size(data)} values from {loader.nodes_written} "
            "written ones; repeat anchors less"
        )
        return None, [*problems, Problem(file, message, line=1)]
    return data, problems


def load_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """Load one YAML file: its data (YamlMap/YamlList/scalar/None) and every problem found.

    Problems name the file as `str(path)`, so a relative path stays relative.
    """
    file = str(path)
    text, problems = read_text(path, file, MAX_FILE_BYTES)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(file, "file is empty")]
    return _parse(text, file)
