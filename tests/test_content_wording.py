"""Wording rules from the fact sheet that a reviewer checked every reply against.

Each rule is checked on every text a user can read (first replies, sections, answers and
the engine's own texts), before placeholders are filled, so a rule names the route it is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from bot.core.model import Content

# Replies owned by another branch of issue 11; they follow these rules once merged.
OWNED_ELSEWHERE = frozenset(
    {"emergency", "self_harm_crisis", "intimate_image_abuse", "sextortion", "online_child_abuse"}
)


def _texts(content: Content) -> Iterator[tuple[str, str]]:
    for response in content.responses.values():
        if response.id in OWNED_ELSEWHERE:
            continue
        yield f"{response.id} first reply", response.first_reply
        for section in response.sections:
            yield f"{response.id} section {section.id}", section.text
        if response.question is not None:
            for answer in response.question.answers:
                yield f"{response.id} answer {answer.id}", answer.text
    for key, text in content.system.items():
        yield f"system {key}", text


@pytest.fixture(scope="module")
def texts(content: Content) -> list[tuple[str, str]]:
    return list(_texts(content))


def test_the_force_is_named_derbyshire_constabulary_first(texts: list[tuple[str, str]]) -> None:
    """A reply giving the police number names the force first; never 'Derbyshire Police'."""
    wrong = []
    for where, text in texts:
        if re.search(r"Derbyshire police(?! and Crime)", text, re.I):
            wrong.append(f"{where}: says Derbyshire Police")
        first = text.find("{police_101.")
        if first != -1 and "Derbyshire Constabulary" not in text[:first]:
            wrong.append(f"{where}: gives {{police_101}} before naming Derbyshire Constabulary")
    assert wrong == []


def test_report_fraud_carries_its_old_name_first(texts: list[tuple[str, str]]) -> None:
    """People still know Action Fraud: the first mention says 'formerly Action Fraud'."""
    wrong = []
    for where, text in texts:
        text = text.replace("{report_fraud.name}", "Report Fraud (formerly Action Fraud)")
        first = text.find("Report Fraud")
        if first != -1 and not text.startswith("Report Fraud (formerly Action Fraud)", first):
            wrong.append(where)
        if text.count("Action Fraud") != text.count("(formerly Action Fraud)"):
            wrong.append(f"{where}: Action Fraud on its own")
    assert wrong == []


def test_unverified_hours_are_not_stated(texts: list[tuple[str, str]], content: Content) -> None:
    """Report Fraud's phone hours and the ICO's come from unverified pages: say 'check'."""
    stated = [w for w, t in texts if "8am to 8pm" in t or ("9am to 5pm" in t and "{ico." in t)]
    assert stated == []
    for route_id in ("report_fraud", "ico"):
        hours = content.routes[route_id].hours or ""
        assert not re.search(r"\d(am|pm)", hours), route_id
        assert "check" in hours.lower(), route_id


def test_159_is_never_called_free(texts: list[tuple[str, str]], content: Content) -> None:
    """159 costs the same as a national-rate call (fact sheet, Update 2026-12)."""
    free = []
    for where, text in texts:
        for sentence in re.split(r"[.!?\n•]", text):
            if "{bank_159." in sentence and re.search(r"\bfree\b", sentence, re.I):
                free.append(f"{where}: {sentence.strip()}")
    assert free == []
    assert "national-rate call" in (content.routes["bank_159"].notes or "")


def test_legal_wording_the_reviewer_corrected(texts: list[tuple[str, str]]) -> None:
    """Money laundering needs knowledge or suspicion; 'Cifas marker' is not an official term."""
    joined = "\n".join(t for _, t in texts)
    assert "even if you didn't know" not in joined
    assert "Cifas marker" not in joined
    assert "marker from Cifas" not in joined
    mule = dict(texts)["money_mule section law"]
    assert "know or suspect" in mule
    assert "14 years" in mule
    assert "fraud marker" in mule


def test_hate_crime_leads_with_the_police_and_stop_hate_uk(content: Content) -> None:
    """True Vision's form is unverified: never in a first reply, only as 'check'."""
    for response in content.responses.values():
        assert "{true_vision." not in response.first_reply, response.id
    hate = content.responses["online_hate_crime"]
    mentions = [s.text for s in hate.sections if "{true_vision." in s.text]
    assert mentions
    assert all("check" in m.lower() for m in mentions)


def test_impersonation_warns_about_a_held_landline(content: Content) -> None:
    """Police advice: a criminal can keep a landline connected, so use another phone or wait."""
    first = content.responses["impersonation_fraud"].first_reply
    assert "police" in first.lower()
    assert "landline" in first
    assert "different phone" in first
    assert "five minutes" in first


def test_turning_off_location_sharing_carries_the_safety_caveat(content: Content) -> None:
    """Turning sharing off can alert an abusive partner: plan it with a support service."""
    protect = next(
        s.text for s in content.responses["online_harassment"].sections if s.id == "protect"
    )
    assert "can alert them" in protect
    assert "support service" in protect
