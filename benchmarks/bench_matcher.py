"""Speed and memory of the matcher, beside a naive rapidfuzz baseline.

Run: python benchmarks/bench_matcher.py   (prints figures; takes about a minute)
Targets: >= 2,000 messages/s and p99 <= 2 ms on the shipped catalog; p99 <= 10 ms at 10x the
catalog; index build <= 300 ms; peak memory of a `classify` process <= 120 MB.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.gate import load_content
from bot.core.matcher import (
    Matcher,
    MatcherConfig,
)
from bot.core.model import Content
from bot.insight.evaluate import read_labelled


def messages() -> list[str]:
    rows = read_labelled(sorted((ROOT / "tests" / "data").glob("*.jsonl")))
    return [str(r["text"]) for r in rows]


def timed(classify, texts: list[str]) -> tuple[float, float, float]:
    """Messages per second, p50 and p99 latency in ms."""
    latencies = []
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        classify(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - start
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(texts) / total, statistics.median(latencies), p99


def scaled(content: Content, factor: int) -> Content:
    """A synthetic catalog `factor` times the size: each intent cloned with shuffled examples."""
    rng = random.Random(7)
    intents = {}
    for copy in range(factor):
        for intent in content.intents.values():
            examples = tuple(
                " ".join(rng.sample(e.split(), len(e.split()))) if copy else e
                for e in intent.examples
            )
            new_id = f"{intent.id}_{copy}" if copy else intent.id
            intents[new_id] = replace(intent, id=new_id, examples=examples)
    return Content(intents, content.responses, content.routes, content.system)


def build_time(content: Content, config: MatcherConfig) -> float:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        Matcher(content, config)
        runs.append((time.perf_counter() - start) * 1000)
    return min(runs)


# Runs `bot classify` and reports the process's own peak resident memory (VmHWM). Reading it
# in the child avoids RUSAGE_CHILDREN, which counts the parent's pages copied at fork.
_PEAK = (
    "import sys\n"
    "from bot.cli import main\n"
    "code = main(['classify'])\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
    "print(hwm.split()[1], file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def classify_peak_mb(texts: list[str]) -> float:
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK],
        input="\n".join(texts) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert proc.stdout.count("\n") == len(texts)
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    content = load_content(ROOT)
    config = MatcherConfig.load()
    texts = messages()
    matcher = Matcher(content, config)
    examples = [e for i in content.intents.values() for e in i.examples]
    n_examples = len(examples)

    rate, p50, p99 = timed(matcher.classify, texts)
    baseline_texts = texts[:300]
    b_rate, b_p50, b_p99 = timed(
        lambda t: process.extractOne(t, examples, scorer=fuzz.WRatio), baseline_texts
    )
    print(
        f"shipped catalog: {len(content.intents)} intents, {n_examples} examples, "
        f"{len(texts)} messages"
    )
    print(f"{'':28}{'msg/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'matcher':28}{rate:10.0f}{p50:10.3f}{p99:10.3f}")
    print(f"{'naive extractOne WRatio':28}{b_rate:10.0f}{b_p50:10.3f}{b_p99:10.3f}")
    print(f"speed-up over naive: {rate / b_rate:.1f}x")
    print(f"index build: {build_time(content, config):.1f} ms")

    big = scaled(content, 10)
    big_matcher = Matcher(big, config)
    r10, p50_10, p99_10 = timed(big_matcher.classify, texts)
    print(
        f"10x catalog ({len(big.intents)} intents): {r10:.0f} msg/s, p50 {p50_10:.3f} ms, "
        f"p99 {p99_10:.3f} ms, index build {build_time(big, config):.1f} ms"
    )
    long_text = ("my mum is poorly and work is busy. " * 120)[
        :4000
    ] + " someone hacked my facebook"
    _, _, p99_long = timed(matcher.classify, [long_text] * 50)
    print(f"4,000-character message: p99 {p99_long:.2f} ms")
    print(f"peak memory of a classify process: {classify_peak_mb(texts):.1f} MB")


if __name__ == "__main__":
    main()
