"""The safety screen: notice danger now or a risk of suicide before anything else is matched.

Pure and synchronous. Its phrases live in the `safety:` blocks of intents/emergency.yaml and
intents/self_harm_crisis.yaml so operators can extend them. A phrase is a list of words where
`a|b` offers alternatives for one word, `*` allows up to three other words, and ` / `
separates whole alternative phrases on one line; each word also matches a close misspelling.
A blocker ("dying to know", "last month") silences a trigger in the same clause that it
overlaps or sits within six words of. `together:` rules need one word of each group in one
clause, `anywhere:` rules anywhere in the message, and `resolved:` phrases quiet a crisis told
as over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.crisis_bayes import CrisisBayes
from bot.core.matcher import Matcher
from bot.core.model import Content, SafetyKind
from bot.core.normalize import clean, normalize
from bot.core.screen_words import COMMON as _COMMON
from bot.core.screen_words import NOW as _NOW
from bot.core.screen_words import PAST as _PAST
from bot.core.screen_words import Pattern, PhraseSet
from bot.core.screen_words import spans as _spans
from bot.core.screen_words import split_clauses as _split_clauses

# Checked in this order: someone in danger now outranks everything else.
SAFETY_INTENTS: tuple[SafetyKind, ...] = ("emergency", "self_harm_crisis")
LEARNED = "(close to the crisis examples)"  # the phrase reported for a learned hit
KNOWN_WORDS = 50_000  # message words remembered with the phrase words they match
BLOCK_REACH = 6  # words between a blocker and the trigger it silences
FUZZY_CUTOFF = 84.0  # for phrase words of 6+ letters; shorter ones need 85
FUZZY_CUTOFF_SHORT = 85.0
# kind, the operator's line, one word set per group, and that kind's blockers
Together = tuple[SafetyKind, str, tuple[frozenset[int], ...], PhraseSet]


@dataclass(frozen=True)
class SafetyHit:
    kind: SafetyKind
    phrase: str


def _phrases(line: str) -> list[str]:
    return [part.strip() for part in line.split(" / ") if part.strip()]


def _near(start: int, end: int, blocker: tuple[int, int]) -> bool:
    """A blocker silences a trigger it overlaps or sits within a few words of.

    Not one that lies wholly inside the trigger: "enjoy your last night" says more than the
    "last night" in it.
    """
    if start <= blocker[0] and blocker[1] <= end and (start, end) != blocker:
        return False
    return blocker[0] - BLOCK_REACH <= end and start <= blocker[1] + BLOCK_REACH


class SafetyScreen:
    """Compiled trigger and blocker phrases for the two safety intents."""

    def __init__(self, content: Content, matcher: Matcher | None = None) -> None:
        self._matcher = matcher
        self._bayes = CrisisBayes(content, SAFETY_INTENTS) if matcher is not None else None
        self._known_words: dict[str, frozenset[int]] = {}
        self._vocab: dict[str, int] = {}
        self._rules: list[tuple[SafetyKind, PhraseSet, PhraseSet]] = []  # triggers, blockers
        self._together: list[Together] = []
        self._anywhere: list[Together] = []  # the groups may sit in different clauses
        self._resolved: dict[SafetyKind, list[Pattern]] = {}
        self._agreeing: list[tuple[SafetyKind, list[Pattern], list[tuple[str, Pattern]]]] = []
        for kind in SAFETY_INTENTS:
            intent = content.intents.get(kind)
            rules = intent.safety if intent else None
            if rules is None:
                continue
            # "rather die / rather be dead" is two phrases on one line.
            named = [(p, self._compile(p)) for line in rules.triggers for p in _phrases(line)]
            named = [(p, pattern) for p, pattern in named if pattern]
            triggers = PhraseSet([pattern for _p, pattern in named], [p for p, _ in named])
            blockers = PhraseSet(self._compile_all(rules.blockers))
            self._rules.append((kind, triggers, blockers))
            self._together += self._groups(kind, rules.together, blockers)
            self._anywhere += self._groups(kind, rules.anywhere, blockers)
            self._resolved[kind] = self._compile_all(rules.resolved)
            urging = self._compile_all(rules.urging)
            agreeing = [(p, self._compile(p)) for line in rules.agreeing for p in _phrases(line)]
            if urging and agreeing:
                self._agreeing.append((kind, urging, [a for a in agreeing if a[1]]))
        self._words = list(self._vocab)

    def _compile_all(self, lines: tuple[str, ...]) -> list[Pattern]:
        return [c for line in lines for p in _phrases(line) if (c := self._compile(p))]

    def _groups(
        self, kind: SafetyKind, lines: tuple[str, ...], blockers: PhraseSet
    ) -> list[Together]:
        """`together:` and `anywhere:` lines: one word set per " + " group."""
        out: list[Together] = []
        for line in lines:
            groups = tuple(next(iter(self._compile(g)), None) for g in line.split(" + "))
            if len(groups) >= 2 and all(groups):
                out.append((kind, line, groups, blockers))
        return out

    def _compile(self, phrase: str) -> Pattern:
        items: list[frozenset[int] | None] = []
        for token in phrase.split():
            if token == "*":
                items.append(None)
                continue
            alts = [w for w in (normalize(alt) for alt in token.split("|")) if w]
            if len(alts) == 1 and " " in alts[0]:  # "kys" is read as "kill yourself"
                vocab = self._vocab
                items.extend(frozenset({vocab.setdefault(w, len(vocab))}) for w in alts[0].split())
                continue
            options = {self._vocab.setdefault(word, len(self._vocab)) for word in alts}
            if options:
                items.append(frozenset(options))
        return tuple(items)

    def _word_sets(self, words: list[str]) -> list[frozenset[int]]:
        """For each message word, the phrase words it matches (exactly or as a close typo)."""
        if not words or not self._words:
            return [frozenset() for _ in words]
        # Words recur from message to message: each is looked up once, then remembered.
        known = self._known_words
        unique = [w for w in dict.fromkeys(words) if w not in known]
        if not unique:
            return [known[w] for w in words]
        if len(known) > KNOWN_WORDS:
            known.clear()
        matrix = process.cdist(
            unique,
            self._words,
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF,
            dtype=np.uint8,
            workers=1,
        )
        lookup = known
        for row, word in enumerate(unique):
            fuzzy = len(word) >= 3 and word not in _COMMON
            hits = set(np.flatnonzero(matrix[row]).tolist()) if fuzzy else set()
            exact = self._vocab.get(word)
            if exact is not None:
                hits.add(exact)
            # Short words must be exact: "me" is not "my", "dead" is not "dad".
            # A typo changes a letter or two, not the length: "bring" is not "burning".
            hits = {
                h
                for h in hits
                if h == exact
                or (
                    abs(len(self._words[h]) - len(word)) <= 1
                    and (
                        (len(self._words[h]) >= 6 and matrix[row, h] >= FUZZY_CUTOFF)
                        or (len(self._words[h]) >= 4 and matrix[row, h] >= FUZZY_CUTOFF_SHORT)
                    )
                )
            }
            lookup[word] = frozenset(hits)
        return [lookup[w] for w in words]

    def check(self, text: str) -> SafetyHit | None:
        """Return the first safety concern in a message, or None when there is none.

        The phrases come first. Then, because no phrase list can foresee every way a person
        in danger writes, a message the matcher finds close to the crisis examples counts
        too, unless a blocker (a past event, a report about someone else) says otherwise.
        Disguises (invisible characters, look-alike letters, full-width forms) are undone
        first, so clause breaks such as "！" split as "!" does.
        """
        text = clean(text)
        hit = self._phrase_hit(text)
        if hit is not None and self._told_as_over(text, hit.kind):
            return None
        if hit is not None or self._matcher is None:
            return hit
        scores = self._matcher.scores(text)
        kind = max(SAFETY_INTENTS, key=lambda k: scores.get(k, 0.0))
        if scores.get(kind, 0.0) < self._matcher.config.safety_threshold:
            # The second learned look: words and word pairs that lean to a crisis intent.
            leaning, odds = self._bayes.best(text) if self._bayes else (None, 0.0)
            if leaning is None or odds < self._matcher.config.safety_bayes_threshold:
                return None
            kind = leaning
        if self._is_blocked(text, kind) or self._told_as_over(text, kind):
            return None
        return SafetyHit(kind, LEARNED)

    def _told_as_over(self, text: str, kind: SafetyKind) -> bool:
        """A crisis told in the past and said to be over ("I tried in 2021; I'm well now").

        Only when a `resolved:` phrase is in the message, the rest of it speaks in the past,
        and nothing else in it says now, tonight, again or going to.
        """
        resolved = self._resolved.get(kind)
        if not resolved:
            return False
        rest, over = [], False
        for clause in _split_clauses(text):
            words = clause.split()
            sets = self._word_sets(words)
            present = frozenset().union(*sets)
            if any(_spans(r, sets, present) for r in resolved):
                over = True
            else:  # "so it never happens again", "going forward": not signs of now
                said = set(words)
                said -= {"again"} if "never" in said else set()
                said -= {"going"} if said & {"forward", "through"} else set()
                rest.append(said)
        if not over:
            return False
        said = set().union(*rest) if rest else set()
        return bool(said & _PAST) and not said & _NOW

    def _is_blocked(self, text: str, kind: SafetyKind) -> bool:
        for rule_kind, _triggers, blockers in self._rules:
            if rule_kind != kind:
                continue
            for clause in _split_clauses(text):
                sets = self._word_sets(clause.split())
                present = frozenset().union(*sets)
                if blockers.found(sets, present):
                    return True
        return False

    def _phrase_hit(self, text: str) -> SafetyHit | None:
        if not self._rules:
            return None
        clauses = []
        for clause in _split_clauses(text):
            words = clause.split()
            sets = self._word_sets(words)
            present = frozenset().union(*sets)
            clauses.append((sets, present))
            for kind, triggers, blockers in self._rules:
                hits = triggers.hits(sets, present)
                if not hits:
                    continue
                blocked = blockers.spans(sets, present)
                for position, (start, end) in hits:
                    if not any(_near(start, end, b) for b in blocked):
                        return SafetyHit(kind, triggers.names[position])
            hit = self._together_hit(sets, present)
            if hit is not None:
                return hit
        return self._anywhere_hit(clauses) or self._agreeing_hit(clauses)

    def _agreeing_hit(
        self, clauses: list[tuple[list[frozenset[int]], frozenset[int]]]
    ) -> SafetyHit | None:
        """Agreeing with people who urged them to die ("they're right, tonight").

        The urging is what the blockers take for a report about someone else, so blockers
        do not apply here.
        """
        for kind, urging, agreeing in self._agreeing:
            if not any(_spans(u, s, p) for u in urging for s, p in clauses):
                continue
            for phrase, pattern in agreeing:
                if any(_spans(pattern, s, p) for s, p in clauses):
                    return SafetyHit(kind, phrase)
        return None

    def _anywhere_hit(
        self, clauses: list[tuple[list[frozenset[int]], frozenset[int]]]
    ) -> SafetyHit | None:
        """A situation told across sentences ("writing my note now. blade's ready").

        A blocker in any sentence that holds part of the situation silences it.
        """
        if not self._anywhere or not clauses:
            return None
        present = frozenset().union(*(p for _s, p in clauses))
        for kind, line, groups, blockers in self._anywhere:
            if not all(not group.isdisjoint(present) for group in groups):
                continue
            # A blocker counts in a clause that holds part of the situation, so "last month"
            # in a sentence of background does not hide "his phone's off" in another.
            involved = [(s, p) for s, p in clauses if any(not g.isdisjoint(p) for g in groups)]
            if not any(blockers.found(s, p) for s, p in involved):
                return SafetyHit(kind, line)
        return None

    def _together_hit(
        self, sets: list[frozenset[int]], present: frozenset[int]
    ) -> SafetyHit | None:
        """A danger word and a "now" word in one clause, where no blocker is present."""
        for kind, line, groups, blockers in self._together:
            together = all(not group.isdisjoint(present) for group in groups)
            if together and not blockers.found(sets, present):
                return SafetyHit(kind, line)
        return None
