"""Append one example to an intent file, leaving every other byte of it as it was.

ruamel.yaml (round-trip) finds where the `examples:` list ends and writes the new item the
way YAML needs it quoted. The line is then inserted into the original text, because a full
re-dump would re-wrap long examples that the operator folded by hand.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

log = logging.getLogger(__name__)


class ExampleError(ValueError):
    """The example cannot be added; str() says why in one line."""


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: keeps comments, order and quoting
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1_000_000  # never fold the one new line
    return yaml


def _item_line(text: str, indent: int) -> str:
    """`- <text>` as ruamel writes a one-item list, at `indent` spaces."""
    out = io.StringIO()
    _yaml().dump([text], out)
    line = out.getvalue().strip()
    if "\n" in line:  # a line break inside the text: never happens after strip, but be sure
        raise ExampleError("the example must be one line of text")
    return " " * indent + line + "\n"


def _end_of_item(lines: list[str], start: int, dash_col: int) -> int:
    """Index of the line after the list item that starts on line `start`."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        body = line.strip()
        if body and not body.startswith("#") and len(line) - len(line.lstrip()) <= dash_col:
            break
        if not body or body.startswith("#"):
            # A blank line or comment ends the item unless the item carries on after it.
            after = end + 1
            while after < len(lines) and (
                not lines[after].strip() or lines[after].lstrip().startswith("#")
            ):
                after += 1
            if after >= len(lines) or len(lines[after]) - len(lines[after].lstrip()) <= dash_col:
                break
        end += 1
    return end


def add_example(path: Path, text: str) -> None:
    """Append `text` to the `examples:` list of the intent file at `path`."""
    text = " ".join(text.split())
    if not text:
        raise ExampleError("the example is empty")
    source = path.read_text(encoding="utf-8")
    try:
        data = _yaml().load(source)
    except YAMLError as error:
        raise ExampleError(f"{path} is not valid YAML; run validate ({error})") from None
    if not isinstance(data, CommentedMap):
        raise ExampleError(f"{path} is not an intent file (no mapping at the top)")
    examples = data.get("examples")
    if not isinstance(examples, CommentedSeq) or not examples or examples.fa.flow_style():
        raise ExampleError(f"{path} has no block list of examples to add to")
    if any(str(e).strip().lower() == text.lower() for e in examples):
        raise ExampleError(f"{path.stem} already has this example")
    lines = source.splitlines(keepends=True)
    start, _col = examples.lc.item(len(examples) - 1)
    dash_col = len(lines[start]) - len(lines[start].lstrip())
    end = _end_of_item(lines, start, dash_col)
    if end == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines.insert(end, _item_line(text, dash_col))
    updated = "".join(lines)
    check = _yaml().load(updated)
    if list(check["examples"]) != [*examples, text]:
        raise ExampleError(f"could not add the example to {path} safely; add it by hand")
    path.write_text(updated, encoding="utf-8")
