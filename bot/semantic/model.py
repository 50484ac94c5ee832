"""A model folder as the re-ranker's Embedder, with the catalog's vectors cached on disk.

Embedding ~4,000 examples takes tens of seconds on two cores, so they are computed once and
kept in a .npy file named by a hash of the model's files and the examples' text: a changed
example or another model gives another file, never a stale vector. The cache lives outside
the repository (BOT_SEMANTIC_CACHE, else the user's cache folder).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from bot.semantic.bert import FILES, BertEncoder, ModelError

log = logging.getLogger(__name__)

ENV_MODEL = "BOT_SEMANTIC_MODEL"
ENV_CACHE = "BOT_SEMANTIC_CACHE"
KEEP = 3  # cached catalogs kept per model


def default_cache(env: Mapping[str, str]) -> Path:
    if env.get(ENV_CACHE):
        return Path(env[ENV_CACHE])
    base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cyber-signpost" / "semantic"


class SemanticModel:
    """An encoder plus a disk cache for the catalog's example vectors."""

    def __init__(self, folder: Path, cache_dir: Path | None = None) -> None:
        self.folder = Path(folder)
        self.encoder = BertEncoder(self.folder)
        self.cache_dir = cache_dir
        self._fingerprint: str | None = None
        self._known: dict[str, np.ndarray] = {}  # the last catalog's vectors, by text

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.encoder.embed(texts)

    def fingerprint(self) -> str:
        """A hash of the model's files: the cache key's model half."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for name in FILES:
                with (self.folder / name).open("rb") as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def cache_path(self, texts: Sequence[str]) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256()
        for text in texts:
            digest.update(text.encode("utf-8") + b"\0")
        return self.cache_dir / f"{self.fingerprint()[:16]}-{digest.hexdigest()[:32]}.npy"

    def embed_catalog(self, texts: Sequence[str]) -> np.ndarray:
        """The examples' vectors: from the cache when it holds this model and these texts;
        otherwise only the examples not seen before are embedded (an edit, then a reload,
        must not pay a minute of cold start)."""
        path = self.cache_path(texts)
        cached = _read(path, len(texts)) if path is not None else None
        if cached is not None and cached.shape[1:] == (self.encoder.dim,):
            self._known = dict(zip(texts, cached, strict=True))
            return cached
        known = self._known or self._newest_cache()
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        started = time.perf_counter()
        known.update(zip(missing, self.encoder.embed(missing), strict=True))
        log.info("embedded %d examples in %.1f s", len(missing), time.perf_counter() - started)
        vectors = np.zeros((len(texts), self.encoder.dim), np.float32)
        for row, text in enumerate(texts):
            vectors[row] = known[text]
        self._known = dict(zip(texts, vectors, strict=True))
        if path is not None:
            _write(path, vectors, texts)
            self._prune()
        return vectors

    def _prune(self, keep: int = KEEP) -> None:
        """Only this model's newest few catalogs stay cached (each is ~10 MB)."""
        if self.cache_dir is None:
            return
        mine = sorted(
            self.cache_dir.glob(f"{self.fingerprint()[:16]}-*.npy"),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in mine[keep:]:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)

    def _newest_cache(self) -> dict[str, np.ndarray]:
        """Text -> vector from this model's most recent cache, for an edited catalog."""
        if self.cache_dir is None:
            return {}
        mine = sorted(
            self.cache_dir.glob(f"{self.fingerprint()[:16]}-*.json"),
            key=lambda p: p.stat().st_mtime,
        )
        for sidecar in reversed(mine):
            try:
                texts = json.loads(sidecar.read_text(encoding="utf-8"))
                vectors = _read(sidecar.with_suffix(".npy"), len(texts))
            except (OSError, ValueError):
                continue
            if vectors is not None and vectors.shape[1:] == (self.encoder.dim,):
                return dict(zip(texts, vectors, strict=True))
        return {}


def _read(path: Path, rows: int) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        log.warning("semantic cache %s unreadable (%s): recomputing", path, error)
        return None
    if vectors.ndim != 2 or vectors.shape[0] != rows:
        return None
    return vectors.astype(np.float32, copy=False)


def _write(path: Path, vectors: np.ndarray, texts: Sequence[str]) -> None:
    """The vectors and their texts, each whole or not at all (two bots may start at once)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            np.save(handle, vectors, allow_pickle=False)
        partial.replace(path)
        partial.write_text(json.dumps(list(texts), ensure_ascii=False), encoding="utf-8")
        partial.replace(path.with_suffix(".json"))
    except OSError as error:
        log.warning("cannot write the semantic cache %s (%s): set %s", path, error, ENV_CACHE)


def load_semantic(folder: str | Path, env: Mapping[str, str] | None = None) -> SemanticModel:
    """Load the model in `folder`; ModelError (one line, with the fix) when it cannot be used."""
    env = os.environ if env is None else env
    if not str(folder).strip():
        raise ModelError(f"{ENV_MODEL} is empty: name a model folder or unset it")
    return SemanticModel(Path(folder).expanduser(), default_cache(env))
