"""A broken YAML file is named in plain words an operator can act on, with its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.yamlload import load_yaml

INDENT = (
    "this line is indented differently from the one above: line it up with the lines it "
    "belongs with (spaces only)"
)

CASES: list[tuple[str, str, str]] = [
    ("tab", "id: x\nexamples:\n\t- hello\n", "3: a tab: use spaces to indent"),
    ("tab_after_key", "id: x\ntitle:\tHello\n", "2: a tab: use spaces to indent"),
    ("list_item_out", "id: x\nexamples:\n  - hello\n - hi\n", f"4: {INDENT}"),
    ("key_too_far_in", "id: x\ntitle: y\n  description: z\n", f"3: {INDENT}"),
    ("key_too_far_out", "id: x\nquestion:\n  text: a\n answers: b\n", f"4: {INDENT}"),
    ("key_in_list", "examples:\n  - a\n  b: c\n", f"3: {INDENT}"),
    (
        "colon_in_text",
        "id: x\ntitle: Note: read this\n",
        "2: this text contains ': ' (a colon then a space): put the whole text in quotes, or "
        "write it as a | block",
    ),
    (
        "open_quote",
        'id: x\ntitle: "Hello\ndescription: y\n',
        "2: a quote opened on this line is never closed: add the closing quote",
    ),
    (
        "open_bracket",
        "id: x\nkeywords: [a, b\ntitle: y\n",
        "2: a '[' or '{' opened on this line is never closed: close it, or put the text in quotes",
    ),
    (
        "backslash",
        'id: x\ntitle: "a\\q"\n',
        "2: a backslash (\\) inside double quotes: use single quotes around this text instead",
    ),
    (
        "at_sign",
        "id: x\ntitle: @home\n",
        "2: a text cannot start with '@': put the whole text in quotes",
    ),
    (
        "star",
        "id: x\ntitle: * note\n",
        "2: a text cannot start with '*' or '&': put the whole text in quotes",
    ),
    (
        "no_colon",
        "id: x\ntitle\ndescription: y\n",
        "2: this line is neither 'name: value' nor a list item: add the ':' or the '- ', or "
        "join it to the line above",
    ),
    (
        "after_quote",
        'id: x\ntitle: "a" b\n',
        "2: more text follows a closing quote: put the whole text inside the quotes",
    ),
    (
        "block_indicator",
        "text: |x\n  hi\n",
        "1: nothing may follow '|' or '>' on its line: start the text on the next line",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_gets_plain_words(tmp_path: Path, name: str, text: str, expected: str) -> None:
    file = tmp_path / f"{name}.yaml"
    file.write_text(text, encoding="utf-8")
    doc, problems = load_yaml(file, f"intents/{name}.yaml")
    assert doc is None
    assert [p.format() for p in problems] == [f"intents/{name}.yaml:{expected}"]


JARGON = ("<block", "<scalar", "'?'", "column", "token", "scalar", "mapping", "YAML syntax")


@pytest.mark.parametrize(
    "text",
    [c[1] for c in CASES]
    + [
        "a: [\n",
        "a: {b: c\n",
        "- a\nb: c\n",
        "a:\n  - b\n c\n",
        "? a\n: b\n  c: d\n",
        "a: b\n  - c\n",
        "a: 'x\n",
        "a: |\n b\n c: d\n",
        "a: >\n  b\n c\n",
        "]\n",
        "a: b: c\n",
        "- - a\n  - b\n - c\n",
    ],
)
def test_parser_jargon_never_reaches_an_operator(tmp_path: Path, text: str) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text(text, encoding="utf-8")
    _doc, problems = load_yaml(file, "intents/broken.yaml")
    for problem in problems:
        assert not any(word in problem.message for word in JARGON), problem.message


DATA = Path(__file__).resolve().parent / "data"
DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_yes_and_no_need_no_quotes_as_both_guides_say(tmp_path: Path) -> None:
    """docs/content-format.md and docs/operators.md agree with the loader on yes/no."""
    from datetime import date

    from bot.content.validate import check

    root = tmp_path / "content"
    shutil.copytree(DATA / "mini", root)
    reply = root / "responses" / "phishing.yaml"
    text = reply.read_text(encoding="utf-8")
    reply.write_text(text.replace('id: "yes"', "id: yes").replace('id: "no"', "id: no"))
    assert check(root, contract=False, today=date(2026, 12, 1)) == []
    reply.write_text(text.replace('id: "yes"', "id: true"))
    assert [p.message for p in check(root, contract=False, today=date(2026, 12, 1))] == [
        "id: expected text, got true: put it in quotes"
    ]
    guide = (DOCS / "content-format.md").read_text(encoding="utf-8")
    operators = (DOCS / "operators.md").read_text(encoding="utf-8")
    assert "yes/no/on/off stay text, quoted or not; only true/false need quotes" in guide
    assert "YAML reads them as true/false" not in guide
    assert "Words such as `yes`, `no`, `on` and `off` are kept as text" in operators
