"""Build the matcher's index from a catalog: vocabulary, weights, postings and keywords.

Pure: no I/O. Built once per catalog (and again on reload), so everything a message needs is
precomputed here and `bot.core.matcher` only looks things up and multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.core.model import Content
from bot.core.normalize import normalize

_SUFFIXES = ("ings", "ing", "ers", "ied", "ies", "ed", "er", "s")


def stem(word: str) -> str:
    """Cut common English endings so 'bullied', 'bullying' and 'bully' meet."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if suffix in ("ied", "ies"):
                return word + "y"
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
                return word[:-1]  # "scammed" -> "scamm" -> "scam"
            break
    # "share", "sharing" and "shareing" all end up as "shar".
    return word[:-1] if len(word) >= 4 and word.endswith("e") else word


def content_words(text: str) -> list[str]:
    """Return the normalised, stemmed words of a message, in order.

    There is no stopword list: inverse document frequency already gives "my" and "the"
    almost no weight, and short messages like "what can you do" need every word they have.
    """
    return list(_content_words(text))


@lru_cache(maxsize=32_768)
def _content_words(text: str) -> tuple[str, ...]:
    # Catalog examples are read by the index, the crisis scorer and the gate in turn.
    return tuple(_stem(w) for w in normalize(text).split())


_stem = lru_cache(maxsize=65_536)(stem)


@dataclass(frozen=True)
class MatchIndex:
    """Everything precomputed about a catalog that scoring a message needs."""

    intent_ids: list[str]
    negative: np.ndarray  # bool per intent: out-of-scope examples, never offered as a topic
    service: np.ndarray  # bool per intent: greetings, help, privacy and the like
    crisis: np.ndarray  # bool per intent: the safety intents (emergency, self_harm_crisis)
    vocab: list[str]
    vocab_index: dict[str, int]
    idf: np.ndarray  # per word
    example_text: list[str]
    example_owner: np.ndarray  # intent index per example
    post_offsets: np.ndarray  # inverted index, CSR by word: word -> examples and weights
    post_examples: np.ndarray
    post_weights: np.ndarray
    by_intent: np.ndarray  # each intent's example ids in one padded row
    bayes_by_word: np.ndarray  # word x intent log-likelihoods for naive Bayes
    keywords: list[str]
    keyword_index: dict[str, list[int]]
    keyword_prefixes: frozenset[str]  # every leading run of words of every keyword
    keyword_owner: np.ndarray
    max_ngram: int

    @property
    def n_examples(self) -> int:
        return len(self.example_text)


def _near_miss_groups(
    intent_ids: list[str],
    kinds: list[str],
    docs: list[list[str]],
    owners: list[int],
    smoothing: float,
) -> tuple[list[str], list[int]]:
    """File each out-of-scope example under the topic it most resembles.

    One big out-of-scope class spreads its words so thin that naive Bayes never favours it:
    "make a QR code for the bake sale" still reads as a QR scam. Grouped by the topic each
    example would otherwise be taken for, every group is a focused "looks like X, is not X"
    class that competes with X on X's own words. The groups keep their parent's id.
    """
    positive = [i for i, kind in enumerate(kinds) if kind != "negative"]
    if len(positive) == len(kinds) or not positive:
        return intent_ids, owners
    words_of = sorted({w for words, owner in zip(docs, owners, strict=True) for w in words})
    column = {w: i for i, w in enumerate(words_of)}
    row_of = {intent: row for row, intent in enumerate(positive)}
    counts = np.zeros((len(positive), len(words_of)), np.float32)
    sizes = np.zeros(len(positive), np.float32)
    for words, owner in zip(docs, owners, strict=True):
        if owner in row_of:
            sizes[row_of[owner]] += 1
            counts[row_of[owner], [column[w] for w in set(words)]] += 1
    log_p = np.log((counts + smoothing) / (sizes[:, None] + 2 * smoothing))
    groups: dict[tuple[int, int], int] = {}
    parents = list(intent_ids)
    new_owners = []
    for words, owner in zip(docs, owners, strict=True):
        if kinds[owner] != "negative":
            new_owners.append(owner)
            continue
        cols = [column[w] for w in set(words)]
        nearest = positive[int(np.argmax(log_p[:, cols].sum(axis=1)))]
        key = (owner, nearest)
        if key not in groups:
            groups[key] = len(parents)
            parents.append(intent_ids[owner])
        new_owners.append(groups[key])
    return parents, new_owners


def build_index(
    content: Content, *, bayes_smoothing: float, near_miss_prior: float = 4.0
) -> MatchIndex:
    """Index a catalog's examples and keywords for fast, typo-tolerant scoring."""
    intent_ids = sorted(content.intents)
    docs: list[list[str]] = []
    owners: list[int] = []
    example_text: list[str] = []
    keywords: list[str] = []
    keyword_owner: list[int] = []
    for index, intent_id in enumerate(intent_ids):
        intent = content.intents[intent_id]
        for example in intent.examples:
            words = content_words(example)
            if words:
                docs.append(words)
                owners.append(index)
                example_text.append(example)
        for keyword in dict.fromkeys(" ".join(content_words(k)) for k in intent.keywords):
            if keyword:
                keywords.append(keyword)
                keyword_owner.append(index)
    kinds = [content.intents[i].kind for i in intent_ids]
    n_original = len(intent_ids)
    crisis_ids = {i for i in intent_ids if content.intents[i].safety is not None}
    intent_ids, owners = _near_miss_groups(intent_ids, kinds, docs, owners, bayes_smoothing)
    kinds += [kinds[intent_ids.index(parent)] for parent in intent_ids[len(kinds) :]]
    # Examples in owner order, so each intent's examples form one run.
    order_by_owner = sorted(range(len(docs)), key=lambda r: owners[r])
    docs = [docs[r] for r in order_by_owner]
    example_text = [example_text[r] for r in order_by_owner]
    owners = [owners[r] for r in order_by_owner]

    n_intents = len(intent_ids)
    per_intent: list[set[str]] = [set() for _ in range(n_intents)]
    for words, owner in zip(docs, owners, strict=True):
        per_intent[owner].update(words)
    for keyword, owner in zip(keywords, keyword_owner, strict=True):
        per_intent[owner].update(keyword.split())
    vocab = sorted(set().union(*per_intent)) if per_intent else []
    vocab_index = {word: i for i, word in enumerate(vocab)}
    df = np.zeros(len(vocab), dtype=np.float32)
    for words in per_intent:
        df[[vocab_index[w] for w in words]] += 1
    # A word used by one intent only is strong evidence; one used by all says nothing.
    idf = np.log((n_intents + 1) / np.maximum(df, 1)).astype(np.float32)

    # TF-IDF rows for the examples, stored as an inverted index (word -> examples using it):
    # a message touches only the postings of its own words.
    rows: list[int] = []
    cols: list[int] = []
    for row, words in enumerate(docs):
        for col in {vocab_index[w] for w in words}:
            rows.append(row)
            cols.append(col)
    row_arr = np.asarray(rows, dtype=np.intp)
    col_arr = np.asarray(cols, dtype=np.intp)
    values = idf[col_arr] if col_arr.size else np.zeros(0, np.float32)
    norms = np.sqrt(np.bincount(row_arr, weights=values**2, minlength=len(docs)))
    values = values / np.where(norms[row_arr] == 0, 1, norms[row_arr])
    order = np.lexsort((row_arr, col_arr))
    post_offsets = np.concatenate(([0], np.cumsum(np.bincount(col_arr, minlength=len(vocab)))))

    # Naive Bayes: how often each intent's examples (and, doubled, its keywords) use a word.
    presence = np.zeros((n_intents, len(vocab)), dtype=np.float32)
    np.add.at(presence, (np.asarray(owners, dtype=np.intp)[row_arr], col_arr), 1)
    for keyword, owner in zip(keywords, keyword_owner, strict=True):
        presence[owner, [vocab_index[w] for w in set(keyword.split())]] += 2
    n_docs = np.bincount(np.asarray(owners, dtype=np.intp), minlength=n_intents)
    alpha = bayes_smoothing
    bayes = np.log((presence + alpha) / (n_docs[:, None] + 2 * alpha)).astype(np.float32)
    # A near-miss group is small; smoothed towards its whole parent class rather than towards
    # nothing, so a word it has not seen costs it what it costs the parent.
    for parent_id in dict.fromkeys(intent_ids[n_original:]):
        rows_of = [i for i, p in enumerate(intent_ids) if p == parent_id]
        total = presence[rows_of].sum(axis=0)
        prior = (total + alpha) / (n_docs[rows_of].sum() + 2 * alpha)
        for row in rows_of:
            bayes[row] = np.log(
                (presence[row] + near_miss_prior * prior) / (n_docs[row] + near_miss_prior)
            )

    # Each intent's example ids in one padded row (padding points at a constant 0), so the
    # best example per intent is one max over a small matrix.
    width = max(int(n_docs.max(initial=0)), 1)
    by_intent = np.full((n_intents, width), len(docs), dtype=np.intp)
    starts = np.concatenate(([0], np.cumsum(n_docs)[:-1])).astype(np.intp)
    for index, (start, count) in enumerate(zip(starts, n_docs, strict=True)):
        by_intent[index, :count] = np.arange(start, start + count)

    keyword_index: dict[str, list[int]] = {}
    for i, keyword in enumerate(keywords):
        keyword_index.setdefault(keyword, []).append(i)
    return MatchIndex(
        intent_ids=intent_ids,
        negative=np.asarray([kind == "negative" for kind in kinds]),
        service=np.asarray([kind == "service" for kind in kinds]),
        crisis=np.asarray([i in crisis_ids for i in intent_ids]),
        vocab=vocab,
        vocab_index=vocab_index,
        idf=idf,
        example_text=example_text,
        example_owner=np.asarray(owners, dtype=np.intp),
        post_offsets=post_offsets.astype(np.intp),
        post_examples=row_arr[order],
        post_weights=values[order].astype(np.float32),
        by_intent=by_intent,
        bayes_by_word=np.ascontiguousarray(bayes.T),
        keywords=keywords,
        keyword_index=keyword_index,
        keyword_prefixes=frozenset(
            " ".join(k.split()[:n]) for k in keywords for n in range(1, k.count(" ") + 2)
        ),
        keyword_owner=np.asarray(keyword_owner, dtype=np.intp),
        max_ngram=max((k.count(" ") + 1 for k in keywords), default=1),
    )
