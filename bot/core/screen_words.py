"""How the safety screen cuts a message into clauses, finds a phrase in one, and the words it
treats specially.

Kept apart from the screen so its word lists can be read at a glance.
"""

from __future__ import annotations

import re

from bot.core.normalize import normalize

# Clause breaks: a blocker in one clause must not silence a trigger in another
# ("they threatened me last month but now he is outside").
_CLAUSE_BREAK = re.compile(
    r"[.!?;:\n]+|,\s|\b(?:but|however|although|though|whereas|anyway)\b|\band(?= (?:now|then)\b)",
    re.IGNORECASE,
)

# Everyday words are never read as a misspelling of another ("the" is not "they").
_COMMON_TEXT = """
the they them then than this that these those there their here where were was are and any
but for from with have has had his her him its our out who why how what when will would
can could not now new one two all off too too see she he we you your me my mine our ours
us it is in on at to of by up so if or as be been know knew
"""
COMMON = frozenset(_COMMON_TEXT.split())

GAP_WORDS = 3  # how many other words a "*" in a phrase allows
Pattern = tuple[frozenset[int] | None, ...]  # one word set per slot; None is a "*" gap

# A crisis told as over must be told in the past, with nothing that points at now.
_PAST_TEXT = "was were felt tried had did used ago last when thought attempted harmed said told"
_NOW_TEXT = "now tonight today tomorrow rn again anymore gonna wanna going planning plan ready"
PAST, NOW = frozenset(_PAST_TEXT.split()), frozenset(_NOW_TEXT.split())


def split_clauses(text: str) -> list[str]:
    """The message's clauses, normalised, empty ones dropped."""
    return [c for c in (normalize(part) for part in _CLAUSE_BREAK.split(text)) if c]


def spans(
    pattern: Pattern, sets: list[frozenset[int]], present: frozenset[int]
) -> list[tuple[int, int]]:
    """Every (first word, last word) where the phrase occurs in the clause."""
    # Cheap rejection first: every word slot must be filled somewhere in the clause.
    if any(item is not None and item.isdisjoint(present) for item in pattern):
        return []

    def end_at(p: int, i: int) -> int | None:
        if p == len(pattern):
            return i - 1
        item = pattern[p]
        if item is None:
            for j in range(i, min(i + GAP_WORDS, len(sets)) + 1):
                end = end_at(p + 1, j)
                if end is not None:
                    return end
            return None
        if i < len(sets) and item & sets[i]:
            return end_at(p + 1, i + 1)
        return None

    spans = []
    for start in range(len(sets)):
        end = end_at(0, start)
        if end is not None:
            spans.append((start, end))
    return spans


class PhraseSet:
    """Phrases filed under the words that can start them, so a clause tries only a few."""

    def __init__(self, patterns: list[Pattern], names: list[str] | None = None) -> None:
        self.patterns = patterns
        self.names = names or []  # the operator's wording of each phrase, for reporting a hit
        self._by_first: dict[int, list[int]] = {}
        for position, pattern in enumerate(patterns):
            first = next((item for item in pattern if item is not None), frozenset())
            for word in first:
                self._by_first.setdefault(word, []).append(position)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def _candidates(self, present: frozenset[int]) -> list[int]:
        return sorted({i for word in present for i in self._by_first.get(word, ())})

    def hits(
        self, sets: list[frozenset[int]], present: frozenset[int]
    ) -> list[tuple[int, tuple[int, int]]]:
        """Each phrase found in the clause (by position, in the operator's order) and where."""
        return [
            (i, span)
            for i in self._candidates(present)
            for span in spans(self.patterns[i], sets, present)
        ]

    def spans(self, sets: list[frozenset[int]], present: frozenset[int]) -> list[tuple[int, int]]:
        """Where any of the phrases occurs in the clause."""
        return [span for _i, span in self.hits(sets, present)]

    def found(self, sets: list[frozenset[int]], present: frozenset[int]) -> bool:
        return any(spans(self.patterns[i], sets, present) for i in self._candidates(present))
