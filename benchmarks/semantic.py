"""Speed of the matcher with the optional semantic re-ranker on, beside the matcher alone.

Run: python benchmarks/semantic.py MODEL_FOLDER   (or BOT_SEMANTIC_MODEL=...)
Prints start-up time (cold: examples embedded; warm: read from the cache), messages/s, p50
and p99 over the labelled dev set. The cache goes to BOT_SEMANTIC_CACHE (default: a fresh
temporary folder, so "cold" really is cold).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_matcher import messages, timed

from bot.content.gate import load_content
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.rerank import FusedMatcher
from bot.semantic import SemanticModel


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else os.environ.get("BOT_SEMANTIC_MODEL")
    if not folder:
        print("usage: python benchmarks/semantic.py MODEL_FOLDER", file=sys.stderr)
        return 2
    cache = Path(os.environ.get("BOT_SEMANTIC_CACHE") or tempfile.mkdtemp(prefix="semantic-"))
    content = load_content(ROOT)
    matcher = Matcher(content, MatcherConfig.load())
    print(f"catalog: {matcher.index.n_examples} examples; cache: {cache}")
    for label in ("cold", "warm"):
        started = time.perf_counter()
        fused = FusedMatcher(matcher, SemanticModel(Path(folder), cache))
        print(f"start-up ({label}): {time.perf_counter() - started:6.2f} s")
    texts = messages()
    fused.classify(texts[0])  # first call pays numpy's one-off costs
    runs = (("matcher alone", matcher.classify), ("with re-ranker", fused.classify))
    for name, classify in runs:
        rate, p50, p99 = timed(classify, texts)
        print(f"{name:15} {rate:8.0f} msgs/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
