"""Tell a plain everyday question ("how do I scan a QR code?") from a report of a crime.

People ask the bot ordinary questions about the very things crimes involve: cards, SIMs, QR
codes, parcels, passwords. Such a question names the object but nothing wrong with it: no
scam, nobody else, nothing stolen, never made. The matcher still offers the topic as a
button, but does not answer it as the crime. The words that point at wrongdoing live in
config/matcher.yaml (`wrongdoing_words`), where they can be read and extended.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from bot.core.match_index import content_words

# A clause opening with one of these asks something ("can I...", "how do...", "is it...").
_OPENERS = frozenset(
    [
        "how",
        "hows",
        "what",
        "whats",
        "can",
        "could",
        "is",
        "are",
        "does",
        "do",
        "should",
        "will",
        "would",
        "any",
        "anyone",
    ]
)
# These ask only before a verb like "is" or "can" ("when will it arrive", "who do I tell");
# otherwise they start a story ("when I was 15...", "who I talk to").
_WH = frozenset(["when", "where", "who", "which", "why"])
_AUX = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "will",
        "would",
        "has",
        "have",
    ]
)
_PARTS = re.compile(r"[.,!;:\n]+")


def asks(text: str) -> bool:
    """Everyday look-alikes are questions ("how do I get a PAC code?"); reports are not.

    A question anywhere counts: a '?' or a clause that opens with a question word ("I'm in
    Spain, can I use my card here").
    """
    if "?" in text:
        return True
    for part in _PARTS.split(text):
        words = part.lower().split(maxsplit=2)
        if words and (
            words[0] in _OPENERS or (words[0] in _WH and len(words) > 1 and words[1] in _AUX)
        ):
            return True
    return False


class WrongdoingWords:
    """Words and short phrases that say something is wrong; stemmed once, typos forgiven.

    A misspelt word counts when the matcher mapped it onto one of these words ("sextorshun"
    onto "sextortion"), so the check costs one set lookup per word.
    """

    def __init__(self, entries: Iterable[str], vocab_index: Mapping[str, int]) -> None:
        words: set[str] = set()
        phrases: set[tuple[str, ...]] = set()
        for entry in entries:
            stems = tuple(content_words(entry))
            if len(stems) == 1:
                words.add(stems[0])
            elif stems:
                phrases.add(stems)
        self.words = frozenset(words)
        self.phrases = frozenset(phrases)
        self.columns = frozenset(vocab_index[w] for w in words if w in vocab_index)
        self.longest = max((len(p) for p in phrases), default=0)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def found(self, words: Sequence[str], mapped: Mapping[str, list[tuple[int, float]]]) -> bool:
        """Whether the message's stemmed `words` (and their catalog mapping) name wrongdoing."""
        for word in words:
            if word in self.words or any(col in self.columns for col, _ in mapped.get(word, ())):
                return True
        if self.phrases:
            for size in range(2, self.longest + 1):
                for start in range(len(words) - size + 1):
                    if tuple(words[start : start + size]) in self.phrases:
                        return True
        return False
