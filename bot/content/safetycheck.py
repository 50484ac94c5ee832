"""The safety floor every content change must keep, checked by the one content gate.

Tree checks (pure): both safety intents exist with triggers, and no trigger or blocker is so
short or so common that it fires on everything or hides real danger. Content checks: the
texts a person in danger may see first carry the 999 line, and the safety phrases still catch
the project's crisis regression set (read from a file, so it is skipped when absent).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.content import contract as c
from bot.content.problem import Problem
from bot.content.reader import INTENTS_DIR, RESPONSES_DIR, SYSTEM_FILE, Tree
from bot.core.compose import Composer
from bot.core.html import visible_text
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.model import Content
from bot.core.normalize import normalize
from bot.core.safety import SafetyScreen

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GATE_CONFIG = PROJECT_ROOT / "config" / "safety_gate.yaml"
MIN_LETTERS = 3
SYSTEM_999_KEYS = ("welcome", "other_language", "non_text")
_999 = re.compile(r"(?<!\d)999(?!\d)")
_DANGER = ("a word about danger or self-harm", "'kill myself'")
_WHAT = {  # field: what it is, what a too-broad one would do, and what makes it specific
    "triggers": ("trigger", "the crisis reply would go to ordinary messages", *_DANGER),
    "blockers": ("blocker", "it would hide real danger from the safety screen", *_DANGER),
    "resolved": (
        "'resolved' phrase",
        "it would hide real danger from the safety screen",
        "words that say the crisis is over",
        "'doing well now'",
    ),
    "urging": (
        "'urging' phrase",
        "agreeing words anywhere would read as a crisis",
        "words of someone urging them to die",
        "'told me to kys'",
    ),
    "agreeing": (
        "'agreeing' phrase",
        "the crisis reply would go to ordinary messages",
        "words that say they will do it",
        "'they are right'",
    ),
}


@dataclass(frozen=True)
class GateSettings:
    """config/safety_gate.yaml: the crisis recall content must keep, and the set to measure."""

    min_crisis_recall: float = 1.0
    crisis_set: Path = PROJECT_ROOT / "tests" / "data" / "crisis.jsonl"

    @classmethod
    def load(cls, path: Path = GATE_CONFIG) -> GateSettings:
        if not path.is_file():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        crisis_set = Path(str(data.get("crisis_set", "tests/data/crisis.jsonl")))
        return cls(
            min_crisis_recall=float(data.get("min_crisis_recall", 1.0)),
            crisis_set=crisis_set if crisis_set.is_absolute() else PROJECT_ROOT / crisis_set,
        )


def _phrase_problem(phrase: str, field: str) -> str | None:
    what, harm, specific, example = _WHAT[field]
    tokens = [t for t in phrase.split() if t != "*"]
    if not tokens:
        return (
            f"safety {what} {phrase!r} is only '*', which matches every message: "
            "write the words it must contain"
        )
    words = [normalize(alt) for token in tokens for alt in token.split("|")]
    if sum(ch.isalnum() for word in words for ch in word) < MIN_LETTERS:
        return (
            f"safety {what} {phrase!r} has fewer than {MIN_LETTERS} letters, so {harm}: "
            f"write a longer phrase, such as {example}"
        )
    if all(part in c.SAFETY_COMMON_WORDS for word in words for part in word.split()):
        return (
            f"safety {what} {phrase!r} is made only of common words, so {harm}: "
            f"add {specific}, such as {example}"
        )
    return None


def check_safety_rules(tree: Tree, *, contract: bool) -> list[Problem]:
    """Both safety intents exist and have triggers; every phrase is specific enough."""
    p: list[Problem] = []
    for kind in sorted(c.SAFETY_INTENTS):
        path = f"{INTENTS_DIR}/{kind}.yaml"
        if kind not in tree.intent_files:
            if contract:
                message = (
                    f"the safety intent {kind!r} is missing, so messages about "
                    f"{'danger now' if kind == 'emergency' else 'suicide or self-harm'} would "
                    f"get no crisis reply: put this file and {RESPONSES_DIR}/{kind}.yaml back "
                    "(from git or the last backup)"
                )
                p.append(Problem(path, 1, message))
            continue
        if kind not in tree.intents:
            continue  # its own problems are already reported
        doc, model = tree.intents[kind]
        if model.safety is None or not [t for t in model.safety.triggers if t.strip()]:
            loc = ("safety", "triggers") if model.safety is not None else ("id",)
            p.append(
                Problem(
                    doc.path,
                    doc.line(loc),
                    f"{kind!r} needs a 'safety:' block with a list of 'triggers:', or the "
                    "safety screen cannot notice these messages first: put the triggers back "
                    "(see docs/content-format.md)",
                )
            )
            continue
        for field in ("triggers", "blockers", "resolved", "urging", "agreeing"):
            for i, line in enumerate(getattr(model.safety, field)):
                for phrase in [part.strip() for part in line.split(" / ")] or [line]:
                    message = _phrase_problem(phrase, field)
                    if message is not None:
                        p.append(Problem(doc.path, doc.line(("safety", field, i)), message))
    system_path = f"{RESPONSES_DIR}/{SYSTEM_FILE}.yaml"
    if (
        contract
        and tree.system_doc is None
        and not any(x.path == system_path for x in tree.problems)
    ):
        message = (
            "file is missing: it holds the bot's own texts, such as the welcome with the 999 "
            "line: put it back (from git or the last backup)"
        )
        p.append(Problem(system_path, 1, message))
    return p


def _texts_without_999(tree: Tree, content: Content) -> list[Problem]:
    compose = Composer(content)
    p: list[Problem] = []
    doc = tree.system_doc
    for key in SYSTEM_999_KEYS:
        if (
            doc is not None
            and key in content.system
            and not _999.search(visible_text(compose.text(key)))
        ):
            p.append(
                Problem(
                    doc.path,
                    doc.line(("texts", key)),
                    f"system text {key!r} must tell people in danger to call 999: add a line "
                    "such as <b>In danger now? Call {emergency_999.phone}.</b>",
                )
            )
    fallback = tree.responses.get("fallback")
    if fallback and not _999.search(visible_text(compose.fallback().text)):
        p.append(
            Problem(
                fallback[0].path,
                fallback[0].line(("first_reply",)),
                "the fallback reply must tell people in danger to call 999: add a line such "
                "as <b>In danger now? Call {emergency_999.phone}.</b>",
            )
        )
    return p


_MISSED: dict[str, list[dict[str, object]]] = {}  # by fingerprint of content and set


def _missed(content: Content, crisis: list[dict[str, object]]) -> list[dict[str, object]]:
    """The crisis lines the whole screen, as it runs live, lets through.

    Phrases and rules, and the learned signal from the crisis examples, which operators
    edit too. The same content and set give the same answer, so a process that loads the
    content again (a reload with no change, the tests) does not replay the set again.
    """
    config = MatcherConfig.load()
    fingerprint = repr((content.intents, config, crisis, _code_version()))
    key = hashlib.sha256(fingerprint.encode()).hexdigest()
    if key not in _MISSED:
        _MISSED.clear()  # one entry: a long-running bot keeps only its current content
        _MISSED[key] = _replayed(key, content, config, crisis)
    return _MISSED[key]


def _replayed(
    key: str, content: Content, config: MatcherConfig, crisis: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Replay the set, or read the answer a process with the same content and code wrote.

    Every restart with unchanged content and code would otherwise replay a thousand lines.
    The file is only a memo of this function: its name is the fingerprint of everything the
    answer depends on, and a missing, unreadable or stale one just means replaying.
    """
    path = _gate_cache() / f"crisis-replay-{key[:40]}.json"
    try:
        missed = set(json.loads(path.read_text(encoding="utf-8")))
        return [r for r in crisis if str(r["text"]) in missed]
    except (OSError, ValueError, TypeError):
        pass
    screen = SafetyScreen(content, Matcher(content, config))
    rows = [r for r in crisis if screen.check(str(r["text"])) is None]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([str(r["text"]) for r in rows]), encoding="utf-8")
    except OSError as error:  # a read-only home is fine: the next start replays again
        log.debug("could not keep the crisis replay: %s", error)
    return rows


def _gate_cache() -> Path:
    """Beside the project, like the crisis set it memoises: never in the user's home."""
    if os.environ.get("BOT_GATE_CACHE"):
        return Path(os.environ["BOT_GATE_CACHE"])
    return PROJECT_ROOT / ".cache" / "gate"


@functools.cache
def _code_version() -> str:
    """The screen's and matcher's own source: a change there must replay the set again."""
    digest = hashlib.sha256()
    for source in sorted((PROJECT_ROOT / "bot" / "core").glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _recall(tree: Tree, content: Content, settings: GateSettings) -> list[Problem]:
    path = settings.crisis_set
    shown = (
        path.relative_to(PROJECT_ROOT).as_posix()
        if path.is_relative_to(PROJECT_ROOT)
        else str(path)
    )
    if not settings.crisis_set.is_file():
        message = (
            "crisis regression set not found, so crisis recall was not checked "
            "(normal for an install without tests/)"
        )
        return [Problem(shown, 1, message, "warning")]
    try:
        lines = settings.crisis_set.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as error:
        message = f"cannot read the crisis regression set ({error}), so recall was not checked"
        return [Problem(shown, 1, message, "warning")]
    crisis = [r for r in rows if r.get("set") == "crisis"]
    if not crisis:
        return []
    missed = _missed(content, crisis)
    recall = 1 - len(missed) / len(crisis)
    if recall >= settings.min_crisis_recall:
        return []
    p: list[Problem] = []
    for kind in sorted({str(r.get("intent")) for r in missed}):
        texts = [str(r["text"]) for r in missed if r.get("intent") == kind]
        doc = tree.intents[kind][0] if kind in tree.intents else None
        path = doc.path if doc else f"{INTENTS_DIR}/{kind}.yaml"
        line = doc.line(("safety", "triggers")) if doc else 1
        quoted = "; ".join(repr(t) for t in texts[:3])
        p.append(
            Problem(
                path,
                line,
                f"the safety screen now catches {len(crisis) - len(missed)} of {len(crisis)} "
                f"crisis messages in {shown} ({math.floor(recall * 1000) / 10:g}%), below the "
                f"{settings.min_crisis_recall:.0%} required by config/safety_gate.yaml: put "
                f"back the triggers, blockers or crisis examples you changed (missed: {quoted})",
            )
        )
    return p


def check_safety_content(
    tree: Tree, content: Content, settings: GateSettings, *, contract: bool
) -> list[Problem]:
    """Checks that need the built content: the 999 lines and crisis recall."""
    if not contract:
        return []
    return [*_texts_without_999(tree, content), *_recall(tree, content, settings)]
