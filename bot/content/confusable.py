"""Warnings about content the matcher will find hard to tell apart, for `validate`.

Pure: works on an already-read Tree. Three mistakes operators make that no schema can see:
nearly the same example under two intents, one keyword in two intents, and two examples
joined into one because the second line lost its "- ".
"""

from __future__ import annotations

import logging

import numpy as np
from rapidfuzz import fuzz, process

from bot.content.problem import Problem
from bot.content.reader import Tree
from bot.core.match_index import content_words
from bot.core.normalize import normalize

log = logging.getLogger(__name__)

NEAR_DUPLICATE = 90.0  # rapidfuzz ratio of two normalised examples
# A wrapped long example fills its lines; a line this short that is not the last one is
# more likely a separate example whose "- " went missing.
SHORT_LINE = 50

Place = tuple[str, int, str, str]  # path, line, intent, text


def _examples(tree: Tree) -> list[Place]:
    places: list[Place] = []
    for stem in sorted(tree.intents):
        doc, model = tree.intents[stem]
        for i, example in enumerate(model.examples):
            places.append((doc.path, doc.line(("examples", i)), stem, example))
    return places


def near_duplicates(tree: Tree, cutoff: float = NEAR_DUPLICATE) -> list[Problem]:
    """Examples of different intents that read the same once normalised (one cdist call)."""
    places = _examples(tree)
    texts = [normalize(text) for *_rest, text in places]
    if not texts:
        return []
    scores = process.cdist(
        texts, texts, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1
    )
    owners = np.asarray([intent for _p, _l, intent, _t in places])
    rows, cols = np.nonzero(np.triu(scores, 1))
    other = owners[rows] != owners[cols]
    problems: list[Problem] = []
    for a, b in zip(rows[other].tolist(), cols[other].tolist(), strict=True):
        path_a, line_a, intent_a, text_a = places[a]
        path_b, line_b, intent_b, text_b = places[b]
        problems.append(
            Problem(
                path_a,
                line_a,
                f"example {text_a!r} ({intent_a}) is nearly the same as {text_b!r} at "
                f"{path_b}:{line_b} ({intent_b}): the bot cannot tell them apart; keep the "
                "one that belongs and delete or reword the other",
                "warning",
            )
        )
    return problems


def shared_keywords(tree: Tree) -> list[Problem]:
    """A keyword (as the matcher reads it) listed by two intents pulls messages both ways."""
    first: dict[str, tuple[str, int, str, str]] = {}
    problems: list[Problem] = []
    for stem in sorted(tree.intents):
        doc, model = tree.intents[stem]
        seen_here: set[str] = set()
        for i, keyword in enumerate(model.keywords):
            key = " ".join(content_words(keyword))
            if not key or key in seen_here:
                continue
            seen_here.add(key)
            line = doc.line(("keywords", i))
            if key not in first:
                first[key] = (doc.path, line, stem, keyword)
                continue
            path, other_line, other, other_keyword = first[key]
            problems.append(
                Problem(
                    doc.path,
                    line,
                    f"keyword {keyword!r} is also a keyword of {other} ({path}:{other_line}, "
                    f"{other_keyword!r}): a keyword should point to one intent only; remove "
                    "it from the one it fits less",
                    "warning",
                )
            )
    return problems


def joined_examples(tree: Tree) -> list[Problem]:
    """Plain or folded examples whose lines look like separate examples, not one wrapped text."""
    problems: list[Problem] = []
    for stem in sorted(tree.intents):
        doc, model = tree.intents[stem]
        for i in range(len(model.examples)):
            node = doc.nodes.get(("examples", i))
            if node is None or node.style not in (None, ">"):
                continue
            first = node.start_mark.line + (1 if node.style == ">" else 0)
            last = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
            lines = [doc.source_lines[n] for n in range(first, last + 1)]
            if node.style is None and lines:
                lines[0] = lines[0][node.start_mark.column :]
            lines = [text.strip() for text in lines if text.strip()]
            if len(lines) >= 2 and any(len(text) < SHORT_LINE for text in lines[:-1]):
                problems.append(
                    Problem(
                        doc.path,
                        first + 1 if node.style == ">" else node.start_mark.line + 1,
                        f"this example runs over {len(lines)} lines and this looks like two "
                        "examples joined: start each with '- '",
                        "warning",
                    )
                )
    return problems


def check_confusable(tree: Tree) -> list[Problem]:
    """Every confusability warning for a read tree."""
    return [*near_duplicates(tree), *shared_keywords(tree), *joined_examples(tree)]
