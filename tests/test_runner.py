"""The conversation-script runner itself: it reads scripts exactly, catches every kind of
failure, points at the right line, and reports through the CLI, pytest and JUnit.

The scripts under tests/data/scripts_bad use commands and buttons only, so matcher tuning
cannot change what they prove.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.engine import Engine
from bot.core.matcher import Matcher
from bot.core.model import Button, Content, Event, Reply
from bot.core.safety import SafetyScreen
from bot.scripts.format import Expect, Script, Step, load_script
from bot.scripts.runner import FIXED_NOW, Outcome, check, load_all, run_script

ROOT = Path(__file__).resolve().parent.parent
BAD = Path("tests/data/scripts_bad")


@pytest.fixture(autouse=True)
def _at_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths in reports are relative to the working folder, as a tester runs them."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def bot(content: Content, matcher: Matcher, screen: SafetyScreen) -> Engine:
    return Engine(content, matcher, screen, clock=lambda: FIXED_NOW)


def write(tmp_path: Path, text: str, name: str = "script.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one(tmp_path: Path, text: str) -> tuple[Script | None, list[str]]:
    script, problems = load_script(write(tmp_path, text), "s.yaml")
    return script, [p.format() for p in problems]


class TestScriptFormat:
    @pytest.mark.parametrize(
        ("name", "message"),
        [
            (
                "bad_yaml",
                "bad_yaml.yaml:4: this line is indented differently from the one above: line "
                "it up with the lines it belongs with (spaces only)",
            ),
            (
                "unknown_key",
                "unknown_key.yaml:5: unknown key 'intnet' in expect (known: intent, routes, "
                "routes_exclude, text_contains, text_matches, buttons, safety, asks_question, "
                "replies)",
            ),
            (
                "unknown_action",
                "unknown_action.yaml:4: unknown action 'type' "
                "(known: say, press, command, send, edit, burst)",
            ),
            ("wrong_type", "wrong_type.yaml:5: safety must be true or false, got 'no'"),
            (
                "unknown_intent",
                "unknown_intent.yaml:5: unknown intent 'phishng' (did you mean 'phishing'?)",
            ),
        ],
    )
    def test_broken_file_is_reported_at_its_line(
        self, name: str, message: str, content: Content
    ) -> None:
        """Each broken script gets exactly one `path:line: message` a tester can act on."""
        scripts, problems = load_all([BAD / "broken" / f"{name}.yaml"], content)
        assert scripts == []
        assert [p.format() for p in problems] == [f"{BAD}/broken/{message}"]

    def test_reads_every_action_and_check(self, tmp_path: Path) -> None:
        """A full script turns into steps with the right chat, group flag, checks and lines."""
        script, problems = one(
            tmp_path,
            "name: All of it\ntags: [a, known-bug]\nchat: ann\nturns:\n"
            "  - say: hello\n    expect:\n      intent: null\n      replies: 2\n"
            "  - press: Main menu\n    chat: bob\n    group: true\n"
            "  - command: /start phishing\n    expect:\n      text_contains: '7726'\n"
            "  - send: photo\n    expect:\n      safety: false\n      asks_question: false\n",
        )
        assert problems == []
        assert script is not None
        assert script.known_bug
        steps = script.steps
        assert [(s.action, s.value, s.chat, s.group, s.line) for s in steps] == [
            ("say", "hello", "ann", False, 5),
            ("press", "Main menu", "bob", True, 9),
            ("command", "/start phishing", "ann", False, 12),
            ("send", "photo", "ann", False, 15),
        ]
        assert steps[0].expect.check_intent
        assert steps[0].expect.intent is None
        assert steps[0].expect.replies == 2
        assert steps[2].expect.text_contains == ("7726",)
        assert steps[3].expect.safety is False

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("turns:\n  - say: hi\n", "s.yaml:1: missing key 'name'"),
            ("name: x\n", "s.yaml:1: missing key 'turns'"),
            ("name: x\nturns: []\n", "s.yaml:2: turns is empty: add at least one turn"),
            (
                "name: x\nturns:\n  - say: hi\n    press: Yes\n",
                "s.yaml:3: a turn needs exactly one of say, press, command, send, edit, "
                "burst (found: say, press)",
            ),
            (
                "name: x\nturns:\n  - send: selfie\n",
                "s.yaml:3: unknown kind 'selfie' to send (known: animation, audio, contact, "
                "document, location, other, photo, poll, sticker, video, video_note, voice)",
            ),
            (
                "name: x\nturns:\n  - command: start\n",
                "s.yaml:3: a command starts with '/', like '/start', got 'start'",
            ),
            (
                "name: x\nturns:\n  - say: hi\n    expect:\n      replies: two\n",
                "s.yaml:5: replies must be a whole number, got 'two'",
            ),
            (
                "name: x\nturns:\n  - say: hi\n    expect:\n      text_matches: '(oops'\n",
                "s.yaml:5: text_matches is not a valid regex: "
                "missing ), unterminated subpattern at position 0",
            ),
            (
                "name: x\nturns:\n  - say: hi\n    expect: [intent]\n",
                "s.yaml:4: expect must be a mapping of checks, got a list",
            ),
        ],
    )
    def test_mistakes_in_a_script_are_problems(
        self, tmp_path: Path, text: str, message: str
    ) -> None:
        """Wrong shapes and values are caught before anything runs, with the line."""
        script, problems = one(tmp_path, text)
        assert script is None
        assert problems == [message]


def outcome(*replies: Reply) -> Outcome:
    return Outcome.from_replies(replies)


FIRST = Reply(
    "<b>Call your bank</b> on 159 &amp; report it",
    ((Button("Report it", "section:x:report"),),),
    "phishing",
    ("bank_159",),
    safety=False,
)
QUESTION = Reply("Did you click?", ((Button("Yes", "answer:phishing:yes"),),), "phishing")
OTHER = Reply("Also this", (), "card_fraud", ("report_fraud",), safety=True)


class TestCheck:
    def test_text_is_plain_and_case_insensitive(self) -> None:
        """Testers write what the user reads: no tags, entities decoded, any case."""
        expect = Expect(text_contains=("call your BANK on 159", "& report"))
        assert check(expect, outcome(FIRST)) == []

    def test_checks_cover_the_whole_turn(self) -> None:
        """Routes, text and buttons are the union of all replies; intent and safety the first's."""
        expect = Expect(
            intent="phishing",
            check_intent=True,
            routes=("bank_159", "report_fraud"),
            text_contains=("also this",),
            buttons=("Report it", "Yes"),
            safety=False,
            asks_question=True,
            replies=3,
        )
        assert check(expect, outcome(FIRST, QUESTION, OTHER)) == []

    def test_each_unmet_check_is_listed(self) -> None:
        """Every failed check gets its own line saying what was expected."""
        expect = Expect(
            intent=None,
            check_intent=True,
            routes=("ceop",),
            routes_exclude=("bank_159",),
            text_contains=("samaritans",),
            text_matches=r"^did",
            buttons=("Main menu",),
            safety=True,
            asks_question=False,
            replies=1,
        )
        assert check(expect, outcome(FIRST, QUESTION)) == [
            "expected intent None, got phishing",
            "expected routes to include ceop",
            "expected routes not to include bank_159",
            "expected the text to contain 'samaritans'",
            "expected the text to match /^did/",
            "expected buttons 'Main menu'",
            "expected safety true",
            "expected no follow-up question",
            "expected 1 message(s), got 2",
        ]

    def test_unset_checks_are_not_checked(self) -> None:
        """A turn without expect passes whatever the bot says, even intent None."""
        assert check(Expect(), outcome()) == []

    def test_comma_label_gets_a_hint(self) -> None:
        """`buttons: [Yes, I did]` splits the label; the message says how to quote it."""
        reply = Reply("q", ((Button("Yes, I did", "answer:p:yes"),),))
        errors = check(Expect(buttons=("Yes", "I did")), outcome(reply))
        assert errors == [
            "expected buttons 'Yes', 'I did' (a label with a comma needs quotes: [\"Yes, I did\"])"
        ]


class TestRunScript:
    @pytest.mark.parametrize(
        ("name", "turn", "line", "first_error"),
        [
            ("wrong_intent", 1, 3, "expected intent romance_fraud, got phishing"),
            ("missing_route", 2, 4, "expected routes to include ceop"),
            (
                "button_not_offered",
                2,
                4,
                "cannot press 'Hacked email or social media account': the previous reply "
                "offered 'Money and fraud', 'Accounts and devices', 'Abuse, threats and "
                "harassment', 'Children and young people', 'Report or get support'",
            ),
            ("text_not_contained", 1, 3, "expected the text to contain 'send us your password'"),
        ],
    )
    async def test_wrong_expectations_fail_at_their_turn(
        self, bot: Engine, name: str, turn: int, line: int, first_error: str
    ) -> None:
        """The runner catches each kind of mistake and stops at the failing turn."""
        (script,), _ = load_all([BAD / "fail" / f"{name}.yaml"])
        result = await run_script(script, bot)
        assert result.failure is not None
        assert (result.failure.turn, result.failure.line) == (turn, line)
        assert result.failure.errors == [first_error]

    async def test_failure_report_points_at_the_file_and_line(self, bot: Engine) -> None:
        """The report names the file:line of the turn and shows what the bot really said."""
        (script,), _ = load_all([BAD / "fail" / "wrong_intent.yaml"])
        report = (await run_script(script, bot)).report().splitlines()
        path = f"{BAD}/fail/wrong_intent.yaml"
        assert report[:3] == [
            f"FAIL Expects the wrong intent ({path})",
            f"    {path}:3: turn 1 (command: '/start phishing')",
            "      expected intent romance_fraud, got phishing",
        ]
        assert report[3].startswith(
            '      the bot replied (2 message(s)): "Scanned a QR code and paid'
        )
        assert report[4] == "        intent: phishing; safety: false"
        assert report[5].startswith("        routes: bank_159, phishing_email, scam_text_7726")
        assert report[6].startswith("        buttons: [What to do now], [Report it]")

    async def test_a_good_script_passes(self, bot: Engine) -> None:
        """Commands, buttons and every kind of check pass when the bot does what is expected."""
        (script,), _ = load_all([BAD / "pass"])
        result = await run_script(script, bot)
        assert result.report() == f"PASS Deep link then a button ({BAD}/pass/deep_link.yaml)"

    async def test_buttons_belong_to_their_chat(self, bot: Engine, tmp_path: Path) -> None:
        """Another chat's menu cannot be pressed: each simulated user sees only their own."""
        script, _ = load_script(
            write(
                tmp_path,
                "name: x\nturns:\n  - command: /menu\n  - press: Money and fraud\n"
                "    chat: someone else\n",
            ),
            "s.yaml",
        )
        assert script is not None
        result = await run_script(script, bot)
        assert result.failure is not None
        assert result.failure.errors == [
            "cannot press 'Money and fraud': the previous reply offered none"
        ]

    async def test_state_is_fresh_for_each_script(self, bot: Engine, tmp_path: Path) -> None:
        """A question left open by one script is not answered by the next."""
        opener, _ = load_script(write(tmp_path, "name: a\nturns:\n  - command: /start phishing\n"))
        answer, _ = load_script(write(tmp_path, "name: b\nturns:\n  - press: 'No'\n", "b.yaml"))
        assert opener is not None
        assert answer is not None
        assert (await run_script(opener, bot)).passed
        assert not (await run_script(answer, bot)).passed

    async def test_group_turns_reach_the_engine_as_group(
        self, bot: Engine, tmp_path: Path
    ) -> None:
        """`group: true` makes a crime reply point to a private chat instead of advising."""
        script, _ = load_script(
            write(
                tmp_path,
                "name: g\ngroup: true\nturns:\n  - command: /start phishing\n"
                "    expect:\n      replies: 1\n      asks_question: false\n",
            )
        )
        assert script is not None
        assert (await run_script(script, bot)).passed

    async def test_telegram_mode_plays_the_same_script(self, bot: Engine) -> None:
        """Through the real adapter and the loopback Bot API, the good script still passes."""
        (script,), _ = load_all([BAD / "pass"])
        assert (await run_script(script, bot, telegram=True)).passed

    async def test_telegram_mode_catches_a_missing_button(self, bot: Engine) -> None:
        """A press of a button that was not offered fails the same way over Telegram."""
        (script,), _ = load_all([BAD / "fail" / "button_not_offered.yaml"])
        result = await run_script(script, bot, telegram=True)
        assert result.failure is not None
        assert result.failure.errors[0].startswith("cannot press 'Hacked email")


class TestCli:
    def test_all_passing_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """One PASS line per script and a summary; exit code 0."""
        assert main(["test", str(BAD / "pass")]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out == [
            f"PASS Deep link then a button ({BAD}/pass/deep_link.yaml)",
            "1 passed, 0 failed",
        ]

    def test_any_failure_exits_1(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Failing scripts are each reported as FAIL with file:line; exit code 1."""
        assert main(["test", str(BAD / "fail"), str(BAD / "pass")]) == 1
        out = capsys.readouterr().out
        assert sorted(line for line in out.splitlines() if line[:4] in {"PASS", "FAIL"}) == [
            f"FAIL Expects a route the reply does not name ({BAD}/fail/missing_route.yaml)",
            f"FAIL Expects the wrong intent ({BAD}/fail/wrong_intent.yaml)",
            f"FAIL Expects words the reply does not say ({BAD}/fail/text_not_contained.yaml)",
            f"FAIL Presses a button the menu does not offer ({BAD}/fail/button_not_offered.yaml)",
            f"PASS Deep link then a button ({BAD}/pass/deep_link.yaml)",
        ]
        assert f"    {BAD}/fail/missing_route.yaml:4: turn 2 (command: '/report')" in out
        assert out.rstrip().endswith("1 passed, 4 failed")

    def test_broken_script_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A script with a mistake gets path:line on stderr and exit 2, even if others pass."""
        assert main(["test", str(BAD / "broken" / "wrong_type.yaml"), str(BAD / "pass")]) == 2
        captured = capsys.readouterr()
        assert (
            captured.err
            == f"{BAD}/broken/wrong_type.yaml:5: safety must be true or false, got 'no'\n"
        )
        assert "PASS Deep link then a button" in captured.out

    def test_missing_path_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A path that does not exist is a problem, not an empty pass."""
        assert main(["test", "no/such/scripts"]) == 2
        assert capsys.readouterr().err == "no/such/scripts:1: no such script file or folder\n"

    def test_empty_folder_exits_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Running no scripts at all is not a success."""
        assert main(["test", str(tmp_path)]) == 2
        assert capsys.readouterr().err.startswith("no scripts found in ")

    def test_junit_report_reads_back(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--junit writes one testcase per script, failures with their report, errors per file."""
        report = tmp_path / "junit.xml"
        code = main(
            [
                "test",
                str(BAD / "fail" / "wrong_intent.yaml"),
                str(BAD / "pass"),
                str(BAD / "broken" / "unknown_key.yaml"),
                "--junit",
                str(report),
            ]
        )
        capsys.readouterr()
        assert code == 2
        suite = ET.parse(report).getroot()
        assert suite.tag == "testsuite"
        assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
        cases = {c.get("name"): c for c in suite.iter("testcase")}
        failure = cases["Expects the wrong intent"].find("failure")
        assert failure is not None
        assert failure.get("message") == "expected intent romance_fraud, got phishing"
        assert f"{BAD}/fail/wrong_intent.yaml:3: turn 1" in (failure.text or "")
        assert list(cases["Deep link then a button"]) == []
        error = cases[f"{BAD}/broken/unknown_key.yaml"].find("error")
        assert error is not None
        assert "unknown key 'intnet'" in (error.get("message") or "")

    def test_telegram_flag_runs_through_the_adapter(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`--telegram` gives the same verdicts and exit codes as the engine run."""
        assert main(["test", "--telegram", str(BAD / "pass")]) == 0
        assert main(["test", "--telegram", str(BAD / "fail" / "wrong_intent.yaml")]) == 1
        out = capsys.readouterr().out
        assert f"PASS Deep link then a button ({BAD}/pass/deep_link.yaml)" in out
        assert f"FAIL Expects the wrong intent ({BAD}/fail/wrong_intent.yaml)" in out


def test_step_describes_itself() -> None:
    """Reports quote the turn as the tester wrote it."""
    step = Step("say", "hi there", "me", False, Expect(), 3)
    assert step.describe() == "say: 'hi there'"


class TestDocs:
    def test_every_example_in_the_guide_is_a_valid_script(self, tmp_path: Path) -> None:
        """The scripts shown in docs/testing.md load without a single problem."""
        import re

        guide = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
        examples = [b for b in re.findall(r"```yaml\n(.*?)```", guide, re.S) if "turns:" in b]
        assert len(examples) >= 4
        for number, text in enumerate(examples):
            script, problems = load_script(write(tmp_path, text, f"ex{number}.yaml"))
            assert [p.format() for p in problems] == []
            assert script is not None


def three_scripts(folder: Path) -> Path:
    """Tagged scripts for --tags: commands only, so the matcher cannot change them."""
    write(
        folder,
        "name: Tagged crisis\ntags: [crisis]\nturns:\n  - command: /start phishing\n"
        "  - burst: hello\n    times: 2\n",
        "a.yaml",
    )
    write(
        folder,
        "name: Tagged telegram\ntags: [telegram, x]\nturns:\n  - command: /menu\n",
        "b.yaml",
    )
    write(folder, "name: Tagged other\ntags: [other]\nturns:\n  - command: /help\n", "c.yaml")
    return folder


class TestVerbose:
    LONG = "word " * 60 + "<b>the very end</b> of it"

    def test_whole_replies_are_shown_message_by_message(self) -> None:
        """With whole=True nothing is cut: each message in full, on its own lines, as read."""
        first = Reply(self.LONG + "\n\nsecond &amp; line", ((Button("Go", "other"),),), "phishing")
        shown = outcome(first, QUESTION).describe(whole=True)
        assert shown[:6] == [
            "the bot replied (2 message(s)):",
            "  message 1:",
            "    | " + self.LONG.replace("<b>", "").replace("</b>", "").replace("  ", " "),
            "    |",
            "    | second & line",
            "  message 2:",
        ]
        assert shown[6] == "    | Did you click?"
        assert shown[7:] == [
            "  intent: phishing; safety: false",
            "  routes: none",
            "  buttons: [Go], [Yes]",
        ]

    def test_short_form_cuts_at_160_characters(self) -> None:
        """Without -v the text stays on one line, cut, so a long run stays scannable."""
        shown = outcome(Reply(self.LONG))
        assert "the very end" not in shown.describe()[0]
        assert shown.describe()[0].rstrip("'\"").endswith("...")

    def test_cli_v_prints_every_word_of_a_failing_turn(
        self, bot: Engine, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`bot test -v` shows what the bot said in full; without -v the short form stays."""
        from bot.scripts.driver import EngineDriver
        from bot.scripts.outcome import readable

        script = str(BAD / "fail" / "wrong_intent.yaml")

        async def said() -> list[str]:
            async with EngineDriver(bot) as driver:
                replies = await driver.handle("me", Event("command", "/start", "phishing"))
            return [readable(r.text) for r in replies]

        import asyncio

        messages = asyncio.run(said())
        assert main(["test", "-v", script]) == 1
        whole = capsys.readouterr().out
        for message in messages:
            for line in message.splitlines():
                assert f"| {line}".rstrip() in whole
        assert "message 2:" in whole
        assert main(["test", script]) == 1
        short = capsys.readouterr().out
        assert messages[-1].splitlines()[-1] not in short
        assert "message 1:" not in short
        assert '..."' in short


class TestTags:
    def test_only_scripts_with_any_of_the_tags_run(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """`--tags crisis,telegram` runs the scripts tagged crisis or telegram, and says so."""
        folder = three_scripts(tmp_path)
        assert main(["test", "--tags", "crisis,telegram", str(folder)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "2 of 3 script(s) tagged crisis, telegram"
        assert [line.split(" (")[0] for line in out[1:3]] == [
            "PASS Tagged crisis",
            "PASS Tagged telegram",
        ]
        assert out[3] == "2 passed, 0 failed"

    def test_tags_combine_with_telegram(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With --telegram the tagged script plays its Telegram-only burst, not skipping it."""
        folder = three_scripts(tmp_path)
        assert main(["test", "--tags", "crisis", str(folder)]) == 0
        assert "(1 Telegram-only turn(s) skipped)" in capsys.readouterr().out
        assert main(["test", "--telegram", "--tags", "crisis", str(folder)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "1 of 3 script(s) tagged crisis"
        assert out[1] == f"PASS Tagged crisis ({folder / 'a.yaml'})"

    def test_an_unknown_tag_lists_the_known_ones(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A misspelt tag is not an empty pass: exit 2, a suggestion and every known tag."""
        folder = three_scripts(tmp_path)
        assert main(["test", "--tags", "crysis,x", str(folder)]) == 2
        captured = capsys.readouterr()
        assert captured.err == (
            "unknown tag 'crysis' (did you mean 'crisis'?); "
            "the scripts' tags are: crisis, other, telegram, x\n"
        )
        assert captured.out == ""

    def test_default_folder_names_the_shipped_tags(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without paths, the tags come from tests/conversations."""
        assert main(["test", "--tags", "no-such-tag"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("unknown tag 'no-such-tag'; the scripts' tags are: ")
        assert ", safety," in err

    def test_an_empty_tag_list_is_refused(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as stopped:
            main(["test", "--tags", " , "])
        assert stopped.value.code == 2
        assert "give at least one tag" in capsys.readouterr().err


class TestKnownBug:
    STILL = f"{BAD}/known_bug/still_failing.yaml"
    NOW = f"{BAD}/known_bug/now_passing.yaml"

    def test_a_known_bug_still_failing_does_not_fail_the_run(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """XFAIL: shown with what still fails, counted apart, exit 0."""
        assert main(["test", self.STILL, str(BAD / "pass")]) == 0
        out = capsys.readouterr().out.splitlines()
        assert out[0] == f"XFAIL A known bug that is still there ({self.STILL}) [known-bug]"
        assert out[1] == f"    {self.STILL}:4: turn 1 (command: '/start phishing')"
        assert out[-1] == "1 passed, 0 failed, 1 known bug(s) still failing (XFAIL)"

    def test_a_fixed_known_bug_fails_the_run_and_says_what_to_do(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """XPASS: exit 1 with the instruction, so the script guards against the bug again."""
        assert main(["test", self.NOW]) == 1
        assert capsys.readouterr().out.splitlines() == [
            f"XPASS A known bug that has been fixed ({self.NOW}) [known-bug]",
            f"    fixed? this known-bug script now passes: remove the tag from {self.NOW}",
            "0 passed, 0 failed, 1 known-bug script(s) now passing (XPASS): remove the tag",
        ]

    def test_telegram_gives_the_same_verdicts(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["test", "--telegram", self.STILL]) == 0
        assert main(["test", "--telegram", self.NOW]) == 1
        out = capsys.readouterr().out
        assert "XFAIL A known bug that is still there" in out
        assert "XPASS A known bug that has been fixed" in out

    def test_junit_skips_xfail_and_fails_xpass(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """As pytest's own junitxml: XFAIL is skipped, XPASS is a failure with the instruction."""
        report = tmp_path / "junit.xml"
        main(["test", str(BAD / "known_bug"), str(BAD / "pass"), "--junit", str(report)])
        capsys.readouterr()
        suite = ET.parse(report).getroot()
        counts = [suite.get(k) for k in ("tests", "failures", "errors", "skipped")]
        assert counts == ["3", "1", "0", "1"]
        cases = {c.get("name"): c for c in suite.iter("testcase")}
        skipped = cases["A known bug that is still there"].find("skipped")
        assert skipped is not None
        assert skipped.get("type") == "xfail"
        assert skipped.get("message") == (
            "known-bug, still failing: expected intent romance_fraud, got phishing"
        )
        failure = cases["A known bug that has been fixed"].find("failure")
        assert failure is not None
        assert failure.get("type") == "xpass"
        assert failure.get("message") == (
            f"fixed? this known-bug script now passes: remove the tag from {self.NOW}"
        )
        assert list(cases["Deep link then a button"]) == []

    def test_junit_failures_carry_whole_replies(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A CI page cannot be re-run with -v, so the JUnit text holds every message."""
        report = tmp_path / "junit.xml"
        main(["test", str(BAD / "fail" / "wrong_intent.yaml"), "--junit", str(report)])
        capsys.readouterr()
        failure = ET.parse(report).getroot().find("testcase/failure")
        assert failure is not None
        assert "  message 2:" in (failure.text or "")

    @pytest.mark.slow
    def test_pytest_gives_the_same_verdicts(self) -> None:
        """tests/test_scripts.py: XFAIL says what still fails; XPASS fails with the instruction."""
        import os
        import subprocess
        import sys

        env = {**os.environ, "BOT_CONVERSATIONS": str(BAD / "known_bug"), "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/test_scripts.py",
                "-k",
                "test_conversation",
                "-rxX",
                "-p",
                "no:cacheprovider",
                "-o",
                "addopts=",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1, run.stdout + run.stderr
        out = run.stdout
        assert (
            "[XPASS(strict)] fixed? this known-bug script now passes: remove the tag from "
            f"{self.NOW}" in out
        )
        assert (
            "XFAIL tests/test_scripts.py::TestConversations::test_conversation[A known bug that "
            "is still there] - known-bug, still failing: expected intent romance_fraud, got "
            "phishing" in out
        )
        assert "1 failed, 5 deselected, 1 xfailed" in out
