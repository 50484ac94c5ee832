"""Tests for bot.content.validate: every broken file gives one exact `path:line: message`."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.validate import Problem, check, run_catalog, run_validate
from bot.core.html import html_problems

DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"
INVALID = DATA / "invalid"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)

# One broken file per folder in data/invalid/, laid over a copy of data/mini/.
EXPECTED: dict[str, list[str]] = {
    "yaml_syntax": [
        "intents/greeting.yaml:4: this line is indented differently from the one above: "
        "line it up with the lines it belongs with (spaces only)"
    ],
    "not_utf8": ["intents/greeting.yaml:13: file is not UTF-8 text (byte 0xe9): save it as UTF-8"],
    "empty_file": [
        "responses/greeting.yaml:1: file is empty: expected the keys described in "
        "docs/content-format.md"
    ],
    "top_level_list": [
        "responses/greeting.yaml:1: expected keys at the top of the file (key: value lines), "
        "got a list or text"
    ],
    "yaml_tag": [
        "responses/greeting.yaml:1: unsupported tag '!!python/name:os.system': remove it "
        "(content is plain text)"
    ],
    "yml_extension": ["intents/thanks.yml:1: file is ignored: rename it to end in .yaml"],
    "duplicate_key": [
        "intents/greeting.yaml:4: duplicate key 'title' (first at line 3): keep only one"
    ],
    "bool_text": ["responses/phishing.yaml:21: label: expected text, got true: put it in quotes"],
    "unknown_key": [
        "intents/greeting.yaml:5: unknown key 'keyword' (did you mean 'keywords'? expected one "
        "of: id, kind, title, description, group, keywords, examples, safety)"
    ],
    "missing_key": [
        "responses/greeting.yaml:1: missing key 'first_reply': see docs/content-format.md for "
        "what it holds"
    ],
    "wrong_type": ["intents/greeting.yaml:3: title: expected text, got a list"],
    "bad_id": [
        "intents/greeting.yaml:1: id 'Greeting' must be snake_case: lower-case letters, digits "
        "and _"
    ],
    "answer_id": [
        "responses/phishing.yaml:24: id: expected one of 'yes', 'no', 'unsure', 'under_18' or "
        "'adult', got 'maybe'"
    ],
    "duplicate_route": [
        "responses/routes.yaml:61: route id 'emergency_999' is defined twice (first at line 2)"
    ],
    "duplicate_section": [
        "responses/phishing.yaml:13: section id 'now' is used twice (first at line 8): give "
        "each section its own id"
    ],
    "duplicate_answer": [
        "responses/phishing.yaml:28: answer id 'no' is used twice (first at line 24)"
    ],
    "answers_need_no": [
        "responses/phishing.yaml:19: question answers must include 'no' (ids: yes, no, unsure)"
    ],
    "stem_mismatch": [
        "intents/greeting.yaml:1: id 'hello' does not match the file name: expected id: greeting"
    ],
    "intent_without_response": [
        "intents/goodbye.yaml:1: intent 'goodbye' has no response: create responses/goodbye.yaml"
    ],
    "response_without_intent": [
        "responses/goodbye.yaml:1: response 'goodbye' has no intent: create "
        "intents/goodbye.yaml, or remove this file"
    ],
    "unknown_route": [
        "responses/greeting.yaml:4: unknown route 'report_fruad' (did you mean 'report_fraud'?): "
        "routes are defined in responses/routes.yaml"
    ],
    "unknown_contact": [
        "responses/greeting.yaml:4: route 'report_fraud' has no contact 'webb' (did you mean "
        "'web'?): it has name, phone, web"
    ],
    "bad_placeholder": [
        "responses/greeting.yaml:4: '{Report_Fraud.web}' is not a placeholder: write "
        "{route_id.key} in lower case with one dot, e.g. {report_fraud.web}"
    ],
    "placeholder_in_tag": [
        "responses/greeting.yaml:4: {report_fraud.web} is inside a tag: write it on its own, "
        "the bot turns web addresses into links itself"
    ],
    "must_mention": [
        "responses/phishing.yaml:2: first_reply must name scam_text_7726 with a contact "
        "placeholder such as {scam_text_7726.sms}"
    ],
    "crime_names_support": [
        "responses/phishing.yaml:2: first_reply must name victim_services with a contact "
        "placeholder such as {victim_services.phone}"
    ],
    "duplicate_example": [
        "intents/greeting.yaml:12: example 'I got a DODGY text about a parking-fine!' is also in "
        "intents/phishing.yaml:20: keep it in one intent only",
        "intents/phishing.yaml:20: example 'I got a dodgy text about a parking fine' is also in "
        "intents/greeting.yaml:12: keep it in one intent only",
    ],
    "too_few_examples": [
        "intents/greeting.yaml:8: service intents need at least 12 examples, found 11: add more "
        "ways people would say it"
    ],
    "keyword_case": ["intents/greeting.yaml:6: keyword 'Hello' must be lower case and not empty"],
    "first_reply_too_long": [
        "responses/greeting.yaml:2: first_reply is 960 characters once filled in, over the 900 "
        "limit: shorten it or move detail into a section"
    ],
    "title_too_long": [
        "intents/greeting.yaml:3: title is 52 characters, over the 40 limit: shorten it"
    ],
    "section_title_too_long": [
        "responses/phishing.yaml:14: section title is 34 characters, over the 24 limit: shorten it"
    ],
    "label_markup": [
        "responses/phishing.yaml:21: answer label is a button label: plain text only, no tags, "
        "entities or placeholders"
    ],
    "callback_too_long": [
        "responses/phishing.yaml:13: button data "
        "'section:phishing:report_it_to_the_police_and_to_everyone_else_too' is 65 bytes, over "
        "Telegram's 64: use a shorter id"
    ],
    "html_tag": [
        "responses/greeting.yaml:3: tag <p> is not allowed by Telegram: use only b, i, u, s, "
        "a href, code, pre, blockquote, tg-spoiler"
    ],
    "html_nesting": [
        "responses/phishing.yaml:3: </b> does not match: expected </i> first (close tags in "
        "reverse order)"
    ],
    "html_entity": [
        "responses/phishing.yaml:12: '&' on its own is not accepted by Telegram: write &amp; for "
        "'&' (Telegram knows only &lt; &gt; &amp; &quot;)"
    ],
    "typed_number": [
        "responses/phishing.yaml:13: number '0300 123 2040' typed into the text: write "
        "{report_fraud.phone} instead"
    ],
    "typed_known_number": [
        "responses/greeting.yaml:4: number '159' typed into the text: write {bank_159.phone} "
        "instead"
    ],
    "typed_link": [
        "responses/phishing.yaml:16: link 'https://www.reportfraud.police.uk/' typed into the "
        "text: write {report_fraud.web} instead"
    ],
    "typed_email": [
        "responses/phishing.yaml:11: email address 'report@phishing.gov.uk' typed into the text: "
        "write {phishing_email.email} instead"
    ],
    "route_source": [
        "responses/routes.yaml:37: source 'castlehillha.co.uk' is not a web address: expected "
        "https://..."
    ],
    "route_reviewed": [
        "responses/routes.yaml:20: reviewed '1 Nov 2026' is not a date: write it as YYYY-MM-DD, "
        "e.g. 2026-01-31"
    ],
    "safety_block": [
        "intents/greeting.yaml:21: a 'safety' block is only allowed in emergency and "
        "self_harm_crisis"
    ],
    "group_missing": [
        "intents/phishing.yaml:2: crime intents need a 'group': one of money, accounts, abuse, "
        "children"
    ],
    "group_unknown": [
        "intents/phishing.yaml:5: unknown group 'fraud': expected one of money, accounts, abuse, "
        "children"
    ],
    "group_on_service": [
        "intents/greeting.yaml:3: 'group' is only for crime intents: remove it from this "
        "service intent"
    ],
}


def _mini_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(MINI, root)
    return root


def _messages(root: Path, *, contract: bool = False) -> list[str]:
    return [p.format() for p in check(root, contract=contract, today=TODAY)]


class TestCheck:
    def test_mini_content_is_valid(self) -> None:
        """The small fixture content passes every check, so each broken copy shows one defect."""
        assert _messages(MINI) == []

    def test_every_invalid_folder_has_an_expectation(self) -> None:
        """A new broken fixture cannot be added without saying what it must report."""
        assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)

    @pytest.mark.parametrize("case", sorted(EXPECTED))
    def test_broken_file_reports_exact_problem(self, case: str, tmp_path: Path) -> None:
        """Each defect is reported with its file, line, what is wrong and what was expected."""
        root = _mini_copy(tmp_path)
        shutil.copytree(INVALID / case, root, dirs_exist_ok=True)
        assert _messages(root) == EXPECTED[case]

    def test_huge_file_is_refused_unread(self, tmp_path: Path) -> None:
        """A file over 1 MB is refused before parsing, so a mistake cannot hang the bot."""
        root = _mini_copy(tmp_path)
        big = root / "intents" / "greeting.yaml"
        big.write_text("# padding\n" * 110_000)
        assert _messages(root) == [
            "intents/greeting.yaml:1: file is 1,100,000 bytes, over the 1 MB limit: split it or "
            "remove text"
        ]

    def test_missing_fallback_is_reported(self, tmp_path: Path) -> None:
        """The reply for messages the bot does not understand must exist."""
        root = _mini_copy(tmp_path)
        (root / "responses" / "fallback.yaml").unlink()
        assert _messages(root) == [
            "responses/fallback.yaml:1: file is missing: the bot needs it for messages it does "
            "not understand"
        ]

    def test_missing_routes_file_is_reported_once(self, tmp_path: Path) -> None:
        """Without routes.yaml one problem is shown, not one per placeholder."""
        root = _mini_copy(tmp_path)
        (root / "responses" / "routes.yaml").unlink()
        assert _messages(root) == [
            "responses/routes.yaml:1: file is missing: it defines every route that replies "
            "point to"
        ]

    def test_all_problems_are_collected_and_sorted(self, tmp_path: Path) -> None:
        """Several broken files are all reported in one run, ordered by file and line."""
        root = _mini_copy(tmp_path)
        for case in ("html_tag", "group_unknown", "duplicate_key"):
            shutil.copytree(INVALID / case, root, dirs_exist_ok=True)
        messages = _messages(root)
        assert [m.split(": ", 1)[0] for m in messages] == [
            "intents/greeting.yaml:4",
            "intents/phishing.yaml:5",
            "responses/greeting.yaml:3",
        ]

    def test_contract_reports_required_intents_and_routes(self) -> None:
        """With the contract on, missing required intents and routes are each named."""
        messages = _messages(MINI, contract=True)
        assert (
            "intents/thanks.yaml:1: required service intent 'thanks' is missing: create this "
            "file and responses/thanks.yaml"
        ) in messages
        assert (
            "responses/routes.yaml:1: required route 'ceop' is missing: add it (see the table "
            "in docs/content-format.md)"
        ) in messages
        assert not any("'phishing'" in m or "'bank_159'" in m for m in messages)

    def test_stale_route_is_a_warning_not_an_error(self) -> None:
        """A route not reviewed for over six months is flagged but still loads."""
        problems = check(MINI, contract=False, today=date(2027, 6, 1))
        assert {p.severity for p in problems} == {"warning"}
        assert problems[0] == Problem(
            "responses/routes.yaml",
            11,
            "route 'emergency_999' was last reviewed on 2026-11-01, over 6 months ago: check it "
            "against its source and update 'reviewed'",
            "warning",
        )

    def test_project_content_is_valid(self) -> None:
        """The real intents/ and responses/ pass every check, contract included."""
        errors = [p.format() for p in check(PROJECT_ROOT) if p.is_error]
        assert errors == []


class TestHtml:
    @pytest.mark.parametrize(
        "text",
        [
            '<b>Call</b> <i>now</i> <u>x</u> <s>y</s> <a href="https://a.uk/">a.uk</a>',
            '<blockquote expandable>q</blockquote> <span class="tg-spoiler">s</span>',
            '<pre><code class="language-text">x</code></pre> 1 &lt; 2 &amp; &#8212;',
        ],
    )
    def test_telegram_subset_passes(self, text: str) -> None:
        """Everything Telegram's HTML mode accepts is accepted here too."""
        assert html_problems(text) == []

    @pytest.mark.parametrize(
        ("text", "start"),
        [("<b>never closed", "<b> is never closed"), ("<a>x</a>", "<a> needs exactly one")],
    )
    def test_mistakes_are_found(self, text: str, start: str) -> None:
        """Unclosed tags and links without href would make Telegram refuse the message."""
        assert html_problems(text)[0][1].startswith(start)


class TestRunValidate:
    def test_success_prints_summary(self) -> None:
        """An operator sees counts of what was checked when everything is fine."""
        out, err = io.StringIO(), io.StringIO()
        assert run_validate(MINI, out, err, contract=False, today=TODAY) == 0
        assert out.getvalue() == (
            "Content OK: 2 intents (1 crime, 1 service), 42 examples, 6 keywords, 6 routes, "
            "3 responses.\n"
        )
        assert err.getvalue() == ""

    def test_warnings_are_listed_on_success(self) -> None:
        """Routes due for review are listed after the summary without failing the run."""
        out, err = io.StringIO(), io.StringIO()
        assert run_validate(MINI, out, err, contract=False, today=date(2027, 6, 1)) == 0
        lines = out.getvalue().splitlines()
        assert lines[1] == "6 warning(s):"
        assert lines[2].startswith("responses/routes.yaml:11: warning: route 'emergency_999'")

    def test_errors_go_to_stderr_with_exit_1(self, tmp_path: Path) -> None:
        """Problems are printed one per line on stderr and the exit code is 1."""
        root = _mini_copy(tmp_path)
        shutil.copytree(INVALID / "unknown_route", root, dirs_exist_ok=True)
        out, err = io.StringIO(), io.StringIO()
        assert run_validate(root, out, err, contract=False, today=TODAY) == 1
        assert out.getvalue() == ""
        assert err.getvalue().splitlines()[0] == EXPECTED["unknown_route"][0]

    def test_cli_validate_enforces_the_contract(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`python -m bot validate` refuses content that lacks the required intents."""
        assert main(["validate", "--content", str(MINI)]) == 1
        assert "required crime intent 'sextortion' is missing" in capsys.readouterr().err


class TestRunCatalog:
    def test_catalog_json_has_rendered_replies(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The catalog shows each reply as the user sees it and which routes it names."""
        assert main(["catalog", "--json", "--content", str(MINI)]) == 0
        data = json.loads(capsys.readouterr().out)
        assert [i["id"] for i in data["intents"]] == ["greeting", "phishing"]
        assert data["intents"][1]["group"] == "money"
        phishing = next(r for r in data["responses"] if r["id"] == "phishing")
        assert phishing["routes"] == [
            "phishing_email",
            "scam_text_7726",
            "bank_159",
            "victim_services",
        ]
        assert "report@phishing.gov.uk" in phishing["first_reply"]
        assert phishing["sections"][1] == {
            "id": "report",
            "title": "Report it",
            "text": "• Lost money? Tell Report Fraud (formerly Action Fraud) at "
            '<a href="https://www.reportfraud.police.uk/">reportfraud.police.uk</a>.\n',
            "routes": ["report_fraud"],
        }
        assert [a["id"] for a in phishing["question"]["answers"]] == ["yes", "no"]
        greeting = next(r for r in data["responses"] if r["id"] == "greeting")
        assert greeting["question"] is None
        route = next(r for r in data["routes"] if r["id"] == "bank_159")
        assert route["contacts"] == {"phone": "159"}

    def test_catalog_refuses_broken_content(self, tmp_path: Path) -> None:
        """Broken content gives problems on stderr, exit 1, and no half catalog."""
        root = _mini_copy(tmp_path)
        shutil.copytree(INVALID / "yaml_syntax", root, dirs_exist_ok=True)
        out, err = io.StringIO(), io.StringIO()
        assert run_catalog(root, out, err) == 1
        assert out.getvalue() == ""
        assert err.getvalue().startswith(EXPECTED["yaml_syntax"][0])


def test_an_unreadable_intent_file_is_not_also_called_unpaired(tmp_path: Path) -> None:
    """One broken file gives one message: its kind is unknown, so no 'has no response' too."""
    root = tmp_path / "content"
    for part in ("intents", "responses"):
        shutil.copytree(Path(__file__).resolve().parent.parent / part, root / part)
    broken = root / "intents" / "out_of_scope.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + '  - "unclosed quote\n')
    messages = [p.format() for p in check(root)]
    assert any(m.startswith("intents/out_of_scope.yaml:") for m in messages), messages
    assert not any("has no response" in m for m in messages), messages
