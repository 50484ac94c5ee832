"""Blank out what could identify a person before a message is kept for review.

Pure and total: `redact(text)` never raises and never leaves a run of ten or more digits.
It errs towards removing too much: a review entry only needs the shape of what was asked.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# A bare domain ("cheap-shoes.shop/offer", "bit.ly/x1"): the common endings scammers use.
_DOMAIN = re.compile(
    r"\b(?:[a-z0-9-]+\.)+(?:com|co\.uk|org\.uk|gov\.uk|uk|org|net|io|ly|me|info|biz|xyz|app"
    r"|top|shop|store|online|site|live|link|club|ru|cn|tk)\b(?:/\S*)?",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2} ?[A-Z0-9]{4}(?: ?\d{4}){2,7}(?: ?\d{1,3})?\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.IGNORECASE)
# Sort code and account number named as such ("sort code 203206", "acc no: 1234567").
_SORT_NAMED = re.compile(r"(\bsort\s*code\s*(?:is|:)?\s*)\d{6}\b", re.IGNORECASE)
_ACCOUNT_NAMED = re.compile(
    r"(\b(?:account|acc|a/c)\s*(?:number|no\.?|num)?\s*(?:is|:)?\s*)\d{6,10}\b", re.IGNORECASE
)
# One number as people type it: digits in groups split by one space, dot or hyphen, with
# an optional leading + and brackets ("+44 (0)7700 900123", "4929-1234-5678-9012").
_NUMBER = re.compile(r"\+?\(?\d(?:\)?[ .-]?\(?\d)*\)?")
_SORT_PAIRS = re.compile(r"\d{2}[ -]\d{2}[ -]\d{2}")
_LONG_DIGITS = re.compile(r"\d{10,}")
_NAME_INTRO = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|my\s+names|i'm\s+called|i’m\s+called|im\s+called"
    r"|i\s+am\s+called)\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Words that end a name (or show the phrase was not a name: "I'm called names at school").
_NOT_NAME = frozenset(
    (
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "i'm",
        "im",
        "in",
        "is",
        "it",
        "just",
        "names",
        "not",
        "of",
        "on",
        "or",
        "so",
        "stupid",
        "that",
        "the",
        "this",
        "to",
        "ugly",
        "was",
        "who",
        "with",
        "fat",
        "all",
        "every",
        "everything",
        "horrible",
    )
)
MAX_NAME_WORDS = 3


def _number(match: re.Match[str]) -> str:
    token = match.group(0)
    digits = sum(c.isdigit() for c in token)
    if digits >= 20:
        return "[account]"
    if digits >= 13:
        # "+44 (0)7700 900123" has 13 digits and is a phone; bare runs this long are cards.
        return "[phone]" if token.startswith(("+", "00")) else "[card]"
    if digits >= 10:
        return "[phone]"
    if _SORT_PAIRS.fullmatch(token):
        return "[sort code]"
    if digits == 8 and token.isdigit():
        return "[account]"
    return token


def _name(text: str) -> str:
    """Replace the words after "my name is" / "I'm called" with [name]."""
    out: list[str] = []
    end = 0
    for intro in _NAME_INTRO.finditer(text):
        if intro.start() < end:
            continue
        pos = intro.end()
        taken = 0
        stop = pos
        while taken < MAX_NAME_WORDS:
            word = _WORD.match(text, pos)
            if word is None or word.group(0).lower() in _NOT_NAME:
                break
            taken += 1
            stop = word.end()
            space = re.match(r"[ \t]+", text[stop:])
            pos = stop + (space.end() if space else 0)
            if not space:
                break
        if taken:
            out.append(text[end : intro.end()])
            out.append("[name]")
            end = stop
    out.append(text[end:])
    return "".join(out)


def redact(text: str) -> str:
    """Return `text` with contact details, bank and card numbers, places and names blanked."""
    text = _EMAIL.sub("[email]", text)
    text = _URL.sub("[link]", text)
    text = _DOMAIN.sub("[link]", text)
    text = _HANDLE.sub("[handle]", text)
    text = _IBAN.sub("[account]", text)
    text = _POSTCODE.sub("[postcode]", text)
    text = _SORT_NAMED.sub(r"\1[sort code]", text)
    text = _ACCOUNT_NAMED.sub(r"\1[account]", text)
    text = _NUMBER.sub(_number, text)
    text = _LONG_DIGITS.sub("[account]", text)  # digits glued to letters: "ref0123456789"
    return _name(text)
