"""Scripts name phone numbers and links through routes.yaml, never by typing them.

Changing a number is then one edit in responses/routes.yaml: every script follows it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.core.model import Content, Reply
from bot.scripts.format import Expect, load_script
from bot.scripts.runner import Outcome, build_engine, check, load_all, run_script

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "tests" / "conversations"
# Three or more digits, spaces allowed between groups; money ("£500", "2000 pounds", "500
# quid") is a user's words, not a number the bot gives out.
PHONE_LIKE = re.compile(r"(?<![\w£$.])\d(?:[ -]?\d){2,}(?![\w.%]| ?(?:pounds|quid|grand)\b)")


def _outcome(html: str) -> Outcome:
    return Outcome.from_replies([Reply(html, ())])


class TestPlaceholdersInChecks:
    def test_placeholder_is_filled_from_routes(self, content: Content) -> None:
        """`{bank_159.phone}` matches the number routes.yaml gives; a link matches its label."""
        reply = _outcome(
            'Call 159. Report at <a href="https://www.reportfraud.police.uk/">'
            "reportfraud.police.uk</a>."
        )
        expect = Expect(text_contains=("call {bank_159.phone}", "at {report_fraud.web}"))
        assert check(expect, reply, content.routes) == []

    def test_a_missing_number_names_placeholder_and_value(self, content: Content) -> None:
        """The failure says which placeholder and which number were looked for."""
        errors = check(
            Expect(text_contains=("{childline.phone}",)), _outcome("Call 159."), content.routes
        )
        assert errors == ["expected the text to contain '{childline.phone}' ('0800 1111')"]

    def test_without_routes_a_placeholder_cannot_pass(self) -> None:
        """A placeholder is never compared literally, so it cannot pass by accident."""
        errors = check(Expect(text_contains=("{bank_159.phone}",)), _outcome("{bank_159.phone}"))
        assert errors == [
            "cannot check '{bank_159.phone}': placeholders need the content's routes"
        ]


class TestPlaceholdersInScripts:
    def test_unquoted_placeholder_gets_a_hint(self, tmp_path: Path) -> None:
        """Unquoted, `{a.b}` is a YAML mapping: the message says to quote it."""
        path = tmp_path / "s.yaml"
        path.write_text(
            "name: x\nturns:\n  - say: hi\n    expect:\n      text_contains: {bank_159.phone}\n"
        )
        script, problems = load_script(path, "s.yaml")
        assert script is None
        assert [p.format() for p in problems] == [
            's.yaml:5: text_contains: put a placeholder in quotes, like "{bank_159.phone}"'
        ]

    def test_unknown_route_or_contact_is_a_script_mistake(
        self, tmp_path: Path, content: Content
    ) -> None:
        """A misspelt placeholder is reported at its line before anything runs."""
        (tmp_path / "s.yaml").write_text(
            "name: x\nturns:\n  - say: hi\n    expect:\n"
            '      text_contains: ["{bank_195.phone}", "{childline.fone}"]\n'
        )
        scripts, problems = load_all([tmp_path], content)
        assert scripts == []
        assert sorted(p.format() for p in problems) == [
            f"{tmp_path / 's.yaml'}:5: route 'childline' has no contact 'fone' "
            "(it has: name, phone, web, report_remove)",
            f"{tmp_path / 's.yaml'}:5: unknown route 'bank_195' in {{bank_195.phone}} "
            "(did you mean 'bank_159'?)",
        ]


def test_no_script_types_a_phone_number() -> None:
    """Numbers in scripts come from routes.yaml as placeholders, so none is typed."""
    found = []
    for path in sorted(CONVERSATIONS.glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in PHONE_LIKE.finditer(line):
                found.append(f"{path.name}:{number}: {match.group(0)}")
    assert found == []


def test_phone_like_pattern_catches_numbers_not_money() -> None:
    """The rule above must catch the numbers the bot gives out, and only those."""
    for number in ("999", "101", "159", "7726", "0800 1111", "116 123", "0300 123 2040"):
        assert PHONE_LIKE.search(f"text_contains: call {number} now"), number
    for words in ("sent £500", "2000 pounds", "500 quid", "24/7", "{bank_159.phone}", "3 grand"):
        assert not PHONE_LIKE.search(words), words


@pytest.mark.slow
async def test_changing_a_number_in_routes_yaml_is_enough(tmp_path: Path) -> None:
    """Edit one number in routes.yaml: the scripts that check it still pass, unchanged."""
    for folder in ("intents", "responses"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    routes = tmp_path / "responses" / "routes.yaml"
    text = routes.read_text(encoding="utf-8")
    assert text.count('phone: "0800 138 1625"') == 1
    routes.write_text(text.replace('phone: "0800 138 1625"', 'phone: "0800 000 0000"'))
    engine = build_engine(tmp_path)
    scripts, problems = load_all([CONVERSATIONS / "crime_hate.yaml"], engine.content)
    assert problems == []
    result = await run_script(scripts[0], engine)
    assert result.passed, result.report()
    reply = engine.content.routes["stop_hate_uk"].contacts["phone"]
    assert reply == "0800 000 0000"
