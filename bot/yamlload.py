"""Read one YAML file into plain values while remembering the line of every node.

Boundary: reads files only; never raises for bad input, it returns Problems instead.
Only `true`/`false` are booleans (YAML 1.2 style), so `yes`, `no`, `on` and `off` stay
the text the operator typed; numbers and dates also stay text, so `0300` keeps its zero.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.problem import Problem

log = logging.getLogger(__name__)

MAX_BYTES = 1_000_000
Loc = tuple[str | int, ...]

TAG_STR = "tag:yaml.org,2002:str"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_NULL = "tag:yaml.org,2002:null"
TAG_MAP = "tag:yaml.org,2002:map"
TAG_SEQ = "tag:yaml.org,2002:seq"


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose implicit types are only null and true/false; everything else is text."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}


LineLoader.add_implicit_resolver(
    TAG_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
LineLoader.add_implicit_resolver(
    TAG_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


@dataclass
class Doc:
    """A parsed file: its values plus where each one came from."""

    path: str
    data: object
    source_lines: list[str]
    lines: dict[Loc, int] = field(default_factory=dict)  # value node -> first line
    key_lines: dict[Loc, int] = field(default_factory=dict)  # mapping entry -> key's line
    nodes: dict[Loc, ScalarNode] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """Line of the key for `loc`, else of its value, else of the nearest parent."""
        while True:
            if loc in self.key_lines:
                return self.key_lines[loc]
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return 1
            loc = loc[:-1]

    def value_line(self, loc: Loc) -> int:
        """Line where the value at `loc` starts (a mapping's first key, for a mapping)."""
        return self.lines.get(loc) or self.line(loc)

    def text_line(self, loc: Loc, offset: int) -> int:
        """Line in the file of character `offset` inside the text at `loc`."""
        node = self.nodes.get(loc)
        if node is None:
            return self.line(loc)
        value: str = node.value
        start = node.start_mark.line
        if node.style == "|":
            return start + 2 + value.count("\n", 0, offset)
        # Other styles fold lines: find the same word among the node's source lines.
        word = re.match(r"\S{1,30}", value[offset:])
        if word is None:
            return start + 1
        snippet = word.group(0)
        wanted = value.count(snippet, 0, offset)
        seen = 0
        for number in range(start, node.end_mark.line + 1):
            text = self.source_lines[number] if number < len(self.source_lines) else ""
            if number == start:
                text = text[node.start_mark.column :]
            hits = text.count(snippet)
            if seen + hits > wanted:
                return number + 1
            seen += hits
        return start + 1


def _describe(node: Node) -> str:
    return {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "text")


class _Builder:
    """Turn composed nodes into plain values, recording lines and collecting problems."""

    def __init__(self, doc: Doc, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems
        self.active: set[int] = set()

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.doc.path, line, message))

    def build(self, node: Node, loc: Loc) -> object:
        self.doc.lines[loc] = node.start_mark.line + 1
        if id(node) in self.active:
            self.report(node.start_mark.line + 1, "an alias refers to itself: remove it")
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, loc)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            return self.mapping(node, loc)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, loc: Loc) -> object:
        self.doc.nodes[loc] = node
        if node.tag == TAG_NULL:
            return None
        if node.tag == TAG_BOOL:
            return node.value.lower() == "true"
        if node.tag != TAG_STR:
            self.report(
                node.start_mark.line + 1,
                f"unsupported tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r}: "
                "remove it (content is plain text)",
            )
        return node.value

    def mapping(self, node: MappingNode, loc: Loc) -> dict[str, object]:
        result: dict[str, object] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode) or key_node.tag not in (TAG_STR, TAG_BOOL):
                self.report(line, f"expected a plain key name, got {_describe(key_node)}")
                continue
            key = key_node.value
            if key in first_seen:
                self.report(
                    line,
                    f"duplicate key {key!r} (first at line {first_seen[key]}): keep only one",
                )
                continue
            first_seen[key] = line
            self.doc.key_lines[(*loc, key)] = line
            result[key] = self.build(value_node, (*loc, key))
        return result


def _decode(raw: bytes, path: str, problems: list[Problem]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start : exc.start + 1].hex()
        problems.append(
            Problem(path, line, f"file is not UTF-8 text (byte 0x{byte}): save it as UTF-8")
        )
        return None


def load_yaml(file: Path, path: str) -> tuple[Doc | None, list[Problem]]:
    """Parse `file` (shown to operators as `path`); Doc is None when nothing usable was read."""
    problems: list[Problem] = []
    size = file.stat().st_size
    if size > MAX_BYTES:
        message = f"file is {size:,} bytes, over the 1 MB limit: split it or remove text"
        return None, [Problem(path, 1, message)]
    text = _decode(file.read_bytes(), path, problems)
    if text is None:
        return None, problems
    loader = LineLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "invalid YAML"
        hint = "check the indentation, and write text containing ': ' or '#' as a | block"
        return None, [Problem(path, line, f"YAML syntax error: {what} ({hint})")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, 1, f"YAML syntax error: {exc}")]
    finally:
        loader.dispose()
    doc = Doc(path=path, data=None, source_lines=text.splitlines())
    if node is None:
        problems.append(
            Problem(
                path, 1, "file is empty: expected the keys described in docs/content-format.md"
            )
        )
        return None, problems
    doc.data = _Builder(doc, problems).build(node, ())
    return doc, problems
