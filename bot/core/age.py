"""Read from a message whether the person it is about is under 18 now, 18 or over, or unknown.

Pure and synchronous. Nothing is stored: the engine uses the answer once, to choose between
routes for under-18s (Childline's Report Remove, CEOP) and routes that serve adults only
(the Revenge Porn Helpline, StopNCII). Ages in the past ("when I was 15") say nothing about
now, so they are ignored and the bot asks. Any sign that a child is involved wins over a
sign of an adult: a parent of 40 writing about a daughter of 14 gets the under-18 routes.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

from bot.core.normalize import normalize

log = logging.getLogger(__name__)

AgeBand = Literal["under_18", "adult"]
BANDS: tuple[AgeBand, ...] = ("under_18", "adult")

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
_NUM = (
    r"(?P<n>\d{1,2}|(?:" + "|".join(_TENS) + r")(?: (?:" + "|".join(list(_UNITS)[:9]) + "))?"
    r"|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
)
# After a number, these make it something other than an age ("I'm 15 minutes away").
_NOT_AGE = (
    r"(?! (?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|seconds?|secs?|pounds?|quid|k|"
    r"grand|percent|times|miles|pics?|pictures?|photos?|images?|videos?|messages?|people|"
    r"followers|of)\b)"
)
_OLD = r"(?: ?(?:years?|yrs?|yr) old| years?| ?yo| y o| ?yrs?)?"
_SOFT = r"(?:only |just |nearly |almost |now |currently |still )?"
_WHO = (
    r"(?:daughter|son|child|kid|girl|boy|stepdaughter|stepson|granddaughter|grandson|niece|"
    r"nephew|sister|brother|teen|teenager|pupil|student|little one|lad|grandchild)"
)
_FAMILY = r"(?:my|our|his|her) (?:little |young |youngest |eldest |oldest |step )?" + _WHO + "s?"
# A partner's or friend's age counts only when under 18: "my boyfriend is 19" says nothing
# about the age of the person writing.
_PEER = (
    r"(?:my|her|his) (?:girlfriend|boyfriend|gf|bf|partner|friend|mate|best friend|ex|cousin)s?"
)

# (pattern, whose age it is): "self" and "family" ages count both ways; "other" people's
# ages ("a 40 year old man") count only when they are under 18, since the child is the
# likely subject and the other person's age says nothing about the one asking.
_AGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), who)
    for p, who in (
        (rf"\bi am (?:a )?{_SOFT}{_NUM}{_OLD}\b{_NOT_AGE}", "self"),
        (rf"\bi have {_NUM} (?:years|yrs)\b(?! ago| of)", "self"),  # "I have 15 years"
        (rf"\b{_FAMILY}(?: who)? (?:is|s|aged|age) {_SOFT}{_NUM}{_OLD}\b{_NOT_AGE}", "family"),
        (rf"\b{_FAMILY} {_NUM}\b{_NOT_AGE}", "family"),  # "my daughter 14"
        (rf"\bmy {_NUM}(?: years?| yrs?| yr)? (?:old|yo|y o)\b", "family"),  # "my 14 year old"
        (rf"\b{_PEER} (?:is|s|aged) {_SOFT}{_NUM}{_OLD}\b{_NOT_AGE}", "other"),
        (rf"\b(?:she|he|they) (?:is|are) {_SOFT}{_NUM}{_OLD}\b{_NOT_AGE}", "other"),
        (rf"\b{_NUM}(?: years?| yrs?| yr)? (?:old|yo|y o)\b", "other"),
        (rf"\baged? {_NUM}\b{_NOT_AGE}", "other"),
    )
)
_SCHOOL_YEAR = re.compile(
    r"\b(?:year|yr|y) (?:7|8|9|10|11|12|seven|eight|nine|ten|eleven|twelve)\b"
    r"|\b(?:doing|taking|sitting|revising for) (?:my |her |his |their )?gcses?\b"
)
_UNDER_WORDS = re.compile(
    r"\b(?:i am|she is|he is|they are|is|s) (?:still )?(?:under 18|under eighteen|a minor|"
    r"underage|under age|not 18 yet|not yet 18|not an adult|a child)\b"
    r"|\bnot (?:over|above) (?:18|eighteen)\b|\bturn(?:s|ing)? (?:18|eighteen)\b"
)
_ADULT_WORDS = re.compile(
    r"\bi am (?:over 18|over eighteen|18 or over|an adult|a grown up|a grown woman|"
    r"a grown man|not a child|not a minor|not under 18)\b|\bi turned (?:18|eighteen)\b"
)
# Words just before an age that put it in the past ("when I was in year 9", "pics of me
# aged 15") or just after it ("15 at the time").
_PAST_BEFORE = re.compile(
    r"\b(?:was|were|when|back|since|of me|of her|of him|used to)\b(?:\s\S+){0,4}\s*$"
)
_PAST_AFTER = re.compile(r"^(?:\s\S+){0,3}\s(?:at the time|back then|years ago|ago)\b")
# A bare answer to "Is this about someone under 18?": a number or a band in words.
_ANSWER_UNDER = re.compile(
    r"^(?:under 18|under eighteen|u18|under|minor|child|kid|a child|a minor|younger|"
    r"below 18|not 18|not over 18|no under 18)$"
)
_ANSWER_ADULT = re.compile(
    r"^(?:over 18|over eighteen|18 or over|18 plus|18 or older|adult|an adult|over|older|"
    r"grown up|not under 18|18 and over|above 18|older than 18)$"
)


def _value(match: re.Match[str]) -> int | None:
    raw = match.group("n")
    if raw.isdigit():
        return int(raw)
    parts = raw.split()
    total = _TENS.get(parts[0]) or _UNITS.get(parts[0])
    if total is not None and len(parts) > 1:
        total += _UNITS.get(parts[1], 0)
    return total


def _in_past(text: str, start: int, end: int) -> bool:
    return bool(_PAST_BEFORE.search(text[max(0, start - 40) : start])) or bool(
        _PAST_AFTER.match(text[end : end + 40])
    )


def _prepare(text: str) -> str:
    """Normalise, keeping "18+" as words (normalising drops the plus)."""
    return normalize(re.sub(r"\b(18)\s*\+", r"\1 plus", text.lower()))


def age_band(text: str, *, answering: bool = False) -> AgeBand | None:
    """The age band a message gives for now, or None when it does not say.

    `answering` is for a reply to the bot's age question, where a bare "15" or "over 18"
    is an answer; in an ordinary message a number alone means nothing.
    """
    words = _prepare(text)
    if answering:
        bare = re.fullmatch(rf"(?:i am |im |age |aged )?{_NUM}(?: plus)?{_OLD}", words)
        if bare:
            value = _value(bare)
            if value is not None and 0 < value < 120:
                return "under_18" if value < 18 and "plus" not in words else "adult"
        if _ANSWER_UNDER.match(words):
            return "under_18"
        if _ANSWER_ADULT.match(words):
            return "adult"
    found: set[AgeBand] = set()
    if _UNDER_WORDS.search(words):
        found.add("under_18")
    if _ADULT_WORDS.search(words):
        found.add("adult")
    for pattern, who in _AGE_PATTERNS:
        for match in pattern.finditer(words):
            value = _value(match)
            if value is None or value < 5 or value > 110:
                continue
            if re.search(r"\b(?:nearly|almost)\b", match.group(0)):
                value -= 1  # "nearly 18" is 17
            if who != "self" and _in_past(words, match.start(), match.end()):
                continue
            if value < 18:
                found.add("under_18")
            elif who in ("self", "family"):
                found.add("adult")
    for match in _SCHOOL_YEAR.finditer(words):
        if not _in_past(words, match.start(), match.end()):
            found.add("under_18")
    if "under_18" in found:
        return "under_18"
    return "adult" if "adult" in found else None
