"""The stand-in's fault plan: which Bot API calls fail, and how, decided before the test runs.

Three ways to ask for faults, checked in this order for every call of a method:

- `schedule`: the nth call of a method (1-based, counted since the stand-in started, faulted
  calls included) gets a given fault. Two faults in a row on one reply are nth and nth + 1.
- `queue`: the next calls of a method, whenever they come (what `fail` and `hang` use).
- `share`: a seeded random share of the calls of some methods, for soak runs.

Faults, as Telegram's edge really produces them: a 429 with retry_after, a JSON 5xx, an HTML
5xx page from the proxy in front of the Bot API, a 200 with an HTML page, a request that is
never answered (the client times out), an answer that comes late, a dropped connection, and
an HTML error page that echoes the request path (it carries the token). No telegram import.
"""

from __future__ import annotations

import json
import random
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_REASONS = {
    200: "OK",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Fault:
    """One injected fault; build it with the class methods."""

    kind: str  # "429", "json", "html", "hang", "slow", "drop", "echo"
    status: int = 0
    retry_after: int = 1
    seconds: float = 0.0

    @classmethod
    def too_many(cls, retry_after: int = 1) -> Fault:
        """Flood control: 429 with parameters.retry_after, as Telegram sends it."""
        return cls("429", 429, retry_after=retry_after)

    @classmethod
    def json_error(cls, status: int = 502) -> Fault:
        """A 5xx with Telegram's JSON error body."""
        return cls("json", status)

    @classmethod
    def html(cls, status: int = 502) -> Fault:
        """An nginx-style HTML error page (502, 503, 504, or 200 for a broken proxy)."""
        return cls("html", status)

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Hold the request `seconds`, then drop it unanswered: the client times out."""
        return cls("hang", seconds=seconds)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer normally, but only after `seconds`."""
        return cls("slow", seconds=seconds)

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection at once without an answer."""
        return cls("drop")

    @classmethod
    def echo(cls, status: int = 404) -> Fault:
        """An HTML error page that quotes the request path, token and all."""
        return cls("echo", status)

    @property
    def answers(self) -> bool:
        """False for faults that never produce a response."""
        return self.kind not in {"hang", "drop"}


def fault_response(fault: Fault, path: str) -> bytes:
    """The raw HTTP response for an answering fault."""
    status = fault.status
    reason = _REASONS.get(status, "Error")
    if fault.kind == "429":
        body = {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {fault.retry_after}",
            "parameters": {"retry_after": fault.retry_after},
        }
        return _frame(status, "application/json", json.dumps(body).encode())
    if fault.kind == "json":
        body = {"ok": False, "error_code": status, "description": reason}
        return _frame(status, "application/json", json.dumps(body).encode())
    title = f"{status} {reason}"
    shown = f"<p>Cannot serve {path}</p>" if fault.kind == "echo" else ""
    page = (
        f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>"
        f"{shown}<hr><center>nginx</center></body></html>"
    )
    return _frame(status, "text/html", page.encode())


def _frame(status: int, content_type: str, payload: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("latin-1") + payload


class FaultPlan:
    """Decides, call by call, whether a Bot API call gets a fault."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.injected: list[tuple[str, int, Fault]] = []  # (method, nth call, fault)
        self._scheduled: dict[tuple[str, int], Fault] = {}
        self._queued: dict[str, deque[Fault]] = {}
        self._share: tuple[float, tuple[Fault, ...], frozenset[str], random.Random] | None = None

    def schedule(self, plan: Iterable[tuple[str, int, Fault]]) -> None:
        """Fail the nth call (1-based, since start) of each method with its fault."""
        for method, nth, fault in plan:
            if nth < 1:
                raise ValueError(f"calls are counted from 1, got {nth}")
            self._scheduled[(method.lower(), nth)] = fault

    def queue(self, method: str, fault: Fault, times: int = 1) -> None:
        """Fail the next `times` calls of `method`."""
        self._queued.setdefault(method.lower(), deque()).extend([fault] * times)

    def share(
        self, rate: float, faults: Sequence[Fault], *, methods: Iterable[str], seed: int = 0
    ) -> None:
        """Fail a seeded random `rate` of the calls of `methods`, picking among `faults`."""
        names = frozenset(m.lower() for m in methods)
        self._share = (rate, tuple(faults), names, random.Random(seed))

    def take(self, method: str) -> Fault | None:
        """Count one call of `method` and return its fault, if it has one."""
        key = method.lower()
        self.counts[key] += 1
        nth = self.counts[key]
        fault = self._scheduled.pop((key, nth), None)
        if fault is None and self._queued.get(key):
            fault = self._queued[key].popleft()
        if fault is None and self._share is not None:
            rate, faults, names, rng = self._share
            if key in names and rng.random() < rate:
                fault = rng.choice(faults)
        if fault is not None:
            self.injected.append((method, nth, fault))
        return fault
