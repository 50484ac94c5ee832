"""Read one YAML file into plain values while remembering the line of every node.

Boundary: reads files only; never raises for bad input, it returns Problems instead.
Hostile or mangled files are refused before they can cost time or memory: anything that is
not a regular file is never opened (a FIFO would block), files over 1 MB are not read,
anchors and aliases (the "billion laughs" bomb) and nesting deeper than MAX_DEPTH are refused
while composing, and control characters pasted from Word are named with their line.
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
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.content.problem import Problem
from bot.content.rawread import read_text
from bot.content.yamlwords import GENERAL, plain_yaml_error

log = logging.getLogger(__name__)

MAX_DEPTH = 20  # content files need 5 levels; deeper is a mistake or an attack
Loc = tuple[str | int, ...]

TAG_STR = "tag:yaml.org,2002:str"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_NULL = "tag:yaml.org,2002:null"
TAG_MAP = "tag:yaml.org,2002:map"
TAG_SEQ = "tag:yaml.org,2002:seq"


class Refused(yaml.YAMLError):
    """A construct the loader will not build, with the line it starts on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose implicit types are only null and true/false; everything else is text.

    It also refuses anchors, aliases and deep nesting as it composes, so neither can expand
    or recurse.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}
    depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node:  # type: ignore[override]
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Refused(
                line,
                "anchors (&name) and aliases (*name) are not allowed: write the text out in "
                "full (a '*' or '&' at the start of a text needs quotes)",
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(
                line,
                f"nesting is deeper than {MAX_DEPTH} levels: content files need only a few "
                "(check the indentation and the [ ] and { } brackets)",
            )
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1


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

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.doc.path, line, message))

    def build(self, node: Node, loc: Loc) -> object:
        # The loader refuses aliases, so every node is built once: no cycles, no blow-up.
        self.doc.lines[loc] = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            return self.scalar(node, loc)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        return self.mapping(node, loc)  # type: ignore[arg-type]

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


_CLoader: type | None = None
if yaml.__with_libyaml__:  # libyaml composes about ten times faster than pure Python

    class _CLineLoader(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
        yaml_implicit_resolvers = LineLoader.yaml_implicit_resolvers

    _CLoader = _CLineLoader


def _is_plain(text: str) -> bool:
    """True when libyaml reads the text without an anchor, an alias or deep nesting.

    Anything else (including any parse error) goes to LineLoader, which words the problem.
    """
    assert _CLoader is not None
    loader = _CLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
                return False
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth >= MAX_DEPTH - 1:
                    return False
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (yaml.YAMLError, ValueError):
        return False
    finally:
        loader.dispose()
    return True


def _plain_style(node: Node | None) -> Node | None:
    """libyaml marks plain scalars with style '' where PyYAML uses None: make them agree."""
    stack = [node] if node is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, ScalarNode):
            if item.style == "":
                item.style = None
        elif isinstance(item, SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, MappingNode):
            for key, value in item.value:
                stack.extend((key, value))
    return node


def _compose(text: str, path: str) -> tuple[Node | None, list[Problem]]:
    # libyaml allows a tab after "key:", which PyYAML (and so our messages) do not.
    if _CLoader is not None and "\t" not in text and _is_plain(text):
        fast = _CLoader(text)
        try:
            return _plain_style(fast.get_single_node()), []
        except (yaml.YAMLError, ValueError):
            pass  # LineLoader below says what is wrong, in plain words
        finally:
            fast.dispose()
    loader = LineLoader(text)
    try:
        return loader.get_single_node(), []
    except Refused as exc:
        return None, [Problem(path, exc.line, exc.message)]
    except yaml.MarkedYAMLError as exc:
        # Plain words, never the parser's "<block end>" or column numbers.
        line, message = plain_yaml_error(exc, text.splitlines())
        return None, [Problem(path, line, message)]
    except yaml.YAMLError as exc:
        log.debug("unreadable YAML in %s: %s", path, exc)
        return None, [Problem(path, 1, GENERAL)]
    except RecursionError:
        message = "nesting is far too deep to read: check the [ ] and { } brackets"
        return None, [Problem(path, 1, message)]
    finally:
        loader.dispose()


def load_yaml(file: Path, path: str) -> tuple[Doc | None, list[Problem]]:
    """Parse `file` (shown to operators as `path`); Doc is None when nothing usable was read."""
    text, problems = read_text(file, path)
    if text is None:
        return None, problems
    node, problems = _compose(text, path)
    if problems:
        return None, problems
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
