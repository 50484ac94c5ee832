"""Turn PyYAML's parser errors into one plain sentence and the line an operator should fix.

Pure. PyYAML says things like "expected <block end>, but found '?'" with a column number:
true, but no help to someone editing a list of examples. Each known problem gets words that
say what to change; anything unknown gets a general hint, never the parser's jargon.
"""

from __future__ import annotations

import logging
import re

import yaml

log = logging.getLogger(__name__)

TAB = "a tab: use spaces to indent"
INDENT = (
    "this line is indented differently from the one above: line it up with the lines it "
    "belongs with (spaces only)"
)
COLON = (
    "this text contains ': ' (a colon then a space): put the whole text in quotes, or write "
    "it as a | block"
)
GENERAL = (
    "this line could not be read: check that it is indented with spaces like the lines it "
    "belongs with, and that every quote and bracket is closed"
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _previous(lines: list[str], index: int) -> str | None:
    for text in reversed(lines[:index]):
        if text.strip() and not text.lstrip().startswith("#"):
            return text
    return None


def _colon_or_indent(lines: list[str], index: int) -> str:
    """'mapping values are not allowed here': a key indented too far, or ': ' inside a text."""
    if index >= len(lines):
        return INDENT
    line = lines[index]
    above = _previous(lines, index)
    looks_like_key = re.match(r"^\s*(- )?[A-Za-z_][\w-]*:(\s|$)", line) is not None
    if above is not None and looks_like_key and _indent(line) > _indent(above):
        opens_block = above.rstrip().endswith((":", "|", ">", "|-", ">-"))
        if not opens_block:
            return INDENT
    return COLON


def _mark_line(mark: yaml.Mark | None) -> int:
    return mark.line + 1 if mark is not None else 1


def plain_yaml_error(error: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str]:
    """The line to fix (1-based) and what to do there, in words an operator can act on."""
    problem = error.problem or ""
    context = error.context or ""
    at = _mark_line(error.problem_mark or error.context_mark)
    started = _mark_line(error.context_mark or error.problem_mark)
    found = re.search(r"found character '(.+?)' that cannot start any token", problem)
    if "\\t" in problem or "tab" in problem:
        return at, TAB
    if found is not None:
        return at, f"a text cannot start with {found.group(1)!r}: put the whole text in quotes"
    if "scanning an alias" in context or "scanning an anchor" in context:
        return at, "a text cannot start with '*' or '&': put the whole text in quotes"
    if "quoted scalar" in context and "end of stream" in problem:
        return started, "a quote opened on this line is never closed: add the closing quote"
    if "unknown escape character" in problem:
        return at, (
            "a backslash (\\) inside double quotes: use single quotes around this text instead"
        )
    if "flow sequence" in context or "flow mapping" in context:
        return started, (
            "a '[' or '{' opened on this line is never closed: close it, or put the text in quotes"
        )
    if "block scalar" in context:
        return at, "nothing may follow '|' or '>' on its line: start the text on the next line"
    if "mapping values are not allowed" in problem:
        return at, _colon_or_indent(lines, at - 1)
    if "could not find expected ':'" in problem:
        return started, (
            "this line is neither 'name: value' nor a list item: add the ':' or the '- ', or "
            "join it to the line above"
        )
    if "<scalar>" in problem and at - 1 < len(lines) and re.search(r"[\"']\s*\S", lines[at - 1]):
        return at, "more text follows a closing quote: put the whole text inside the quotes"
    if "expected <block end>" in problem or "did not find expected" in problem:
        return at, INDENT
    log.debug("untranslated YAML error: %s / %s", context, problem)
    return at, GENERAL
