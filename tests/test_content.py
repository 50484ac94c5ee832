"""Tests for bot.content.gate: loading the catalog and filling placeholders in replies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.gate import CRIME_GROUPS, ContentError, load_content, render
from bot.content.yamlload import load_yaml
from bot.core.model import Route, SafetyRules

MINI = Path(__file__).resolve().parent / "data" / "mini"


def _route(route_id: str, **contacts: str) -> Route:
    return Route(route_id, f"{route_id} & co", "", "", contacts, None, None, (), "2026-11-01")


ROUTES = {
    "bank_159": _route("bank_159", phone="159"),
    "report_fraud": _route(
        "report_fraud", phone="0300 123 2040", web="https://www.reportfraud.police.uk/"
    ),
    "act": _route("act", web="http://gov.uk/ACT"),
}


class TestRender:
    def test_phone_is_filled_in(self) -> None:
        """A phone placeholder becomes the number people dial."""
        assert render("Call {bank_159.phone} now.", ROUTES) == ("Call 159 now.", ("bank_159",))

    def test_web_becomes_a_readable_link(self) -> None:
        """A web address becomes a link whose text has no https://, www. or trailing slash."""
        text, _ = render("{report_fraud.web} and {act.web}", ROUTES)
        assert text == (
            '<a href="https://www.reportfraud.police.uk/">reportfraud.police.uk</a> and '
            '<a href="http://gov.uk/ACT">gov.uk/ACT</a>'
        )

    def test_name_is_escaped_and_not_counted_as_named(self) -> None:
        """Mentioning a service by name alone does not count as signposting it."""
        assert render("{bank_159.name}", ROUTES) == ("bank_159 &amp; co", ())

    def test_routes_listed_once_in_order_of_first_use(self) -> None:
        """The reply's routes follow the order the reader meets them, without repeats."""
        _, named = render(
            "{report_fraud.web} {bank_159.phone} {report_fraud.phone} {act.name}", ROUTES
        )
        assert named == ("report_fraud", "bank_159")

    def test_unknown_route_or_key_raises(self) -> None:
        """A bad placeholder cannot silently reach a user."""
        with pytest.raises(KeyError, match="report_fruad"):
            render("{report_fruad.web}", ROUTES)
        with pytest.raises(KeyError, match="webb"):
            render("{report_fraud.webb}", ROUTES)

    def test_text_without_placeholders_is_unchanged(self) -> None:
        """Plain text and HTML pass through as written."""
        assert render("<b>Stay safe.</b> {not a placeholder}", ROUTES) == (
            "<b>Stay safe.</b> {not a placeholder}",
            (),
        )


class TestLoadContent:
    def test_mini_content_loads(self) -> None:
        """Intents, responses (with fallback), routes and system texts all arrive."""
        content = load_content(MINI, contract=False)
        assert sorted(content.intents) == ["greeting", "phishing"]
        assert sorted(content.responses) == ["fallback", "greeting", "phishing"]
        phishing = content.intents["phishing"]
        assert (phishing.kind, phishing.group) == ("crime", "money")
        assert phishing.group in CRIME_GROUPS
        assert len(phishing.examples) == 30
        assert content.intents["greeting"].group is None
        question = content.responses["phishing"].question
        assert question is not None
        assert [a.id for a in question.answers] == ["yes", "no"]
        assert question.answers[1].label == "No"
        assert content.routes["report_fraud"].contacts["phone"] == "0300 123 2040"
        assert content.routes["bank_159"].reviewed == "2026-11-01"
        assert content.system["menu"] == "Choose a topic."

    def test_missing_system_file_gives_empty_texts(self, tmp_path: Path) -> None:
        """Content without responses/system.yaml still loads, with no engine texts."""
        root = tmp_path / "c"
        shutil.copytree(MINI, root)
        (root / "responses" / "system.yaml").unlink()
        assert load_content(root, contract=False).system == {}

    def test_errors_raise_with_every_problem(self, tmp_path: Path) -> None:
        """Broken content is refused as a whole, listing each problem with its line."""
        root = tmp_path / "c"
        shutil.copytree(MINI, root)
        greeting = root / "responses" / "greeting.yaml"
        greeting.write_text("id: greeting\nfirst_reply: |\n  Call {bank_159.fone} or <p>\n")
        with pytest.raises(ContentError) as info:
            load_content(root, contract=False)
        assert [p.format() for p in info.value.problems] == [
            "responses/greeting.yaml:3: route 'bank_159' has no contact 'fone' (did you mean "
            "'phone'?): it has name, phone",
            "responses/greeting.yaml:3: tag <p> is not allowed by Telegram: use only b, i, u, s, "
            "a href, code, pre, blockquote, tg-spoiler",
        ]

    def test_warnings_do_not_block_loading(self, tmp_path: Path) -> None:
        """A route overdue for review still loads, so the bot keeps working."""
        root = tmp_path / "c"
        shutil.copytree(MINI, root)
        routes = root / "responses" / "routes.yaml"
        routes.write_text(routes.read_text().replace("2026-11-01", "2001-01-01"))
        assert load_content(root, contract=False).routes["bank_159"].reviewed == "2001-01-01"

    def test_safety_rules_load_for_emergency(self, tmp_path: Path) -> None:
        """The emergency intent may carry the safety screen's trigger phrases."""
        root = tmp_path / "c"
        shutil.copytree(MINI, root)
        greeting = (root / "intents" / "greeting.yaml").read_text()
        emergency = greeting.replace("id: greeting", "id: emergency").replace("  - ", "  - now ")
        emergency += "safety:\n  triggers:\n    - going to hurt me\n  blockers:\n    - film\n"
        (root / "intents" / "emergency.yaml").write_text(emergency)
        (root / "responses" / "emergency.yaml").write_text(
            "id: emergency\nfirst_reply: Call {emergency_999.phone} now.\n"
        )
        rules = load_content(root, contract=False).intents["emergency"].safety
        assert rules == SafetyRules(triggers=("going to hurt me",), blockers=("film",))


class TestLineLoader:
    def test_only_true_and_false_are_booleans(self, tmp_path: Path) -> None:
        """yes/no/on/off stay the words the operator typed; numbers keep leading zeros."""
        file = tmp_path / "a.yaml"
        file.write_text("a: yes\nb: no\nc: on\nd: off\ne: y\nf: true\ng: 0300\nh: 2026-01-01\n")
        doc, problems = load_yaml(file, "a.yaml")
        assert problems == []
        assert doc is not None
        assert doc.data == {
            "a": "yes",
            "b": "no",
            "c": "on",
            "d": "off",
            "e": "y",
            "f": True,
            "g": "0300",
            "h": "2026-01-01",
        }

    def test_text_line_points_inside_block_and_folded_text(self, tmp_path: Path) -> None:
        """A mistake deep in a long text is reported on its own line of the file."""
        file = tmp_path / "a.yaml"
        file.write_text("a: |\n  one\n  two BAD\nb: >\n  one\n  two\n  BAD\nc: x\n  BAD\n")
        doc, _ = load_yaml(file, "a.yaml")
        assert doc is not None
        assert doc.text_line(("a",), doc.data["a"].index("BAD")) == 3
        assert doc.text_line(("b",), doc.data["b"].index("BAD")) == 7
        assert doc.text_line(("c",), doc.data["c"].index("BAD")) == 9
