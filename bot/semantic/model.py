"""A model folder as the re-ranker's Embedder, with the catalog's vectors cached on disk.

Embedding ~4,000 examples takes tens of seconds on two cores, so they are computed once and
kept in a .npy file named by a hash of the model's files and the examples' text: a changed
example or another model gives another file, never a stale vector. The cache lives outside
the repository (BOT_SEMANTIC_CACHE, else the user's cache folder).
"""

from __future__ import annotations

import hashlib
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
        digest = hashlib.sha256(self.fingerprint().encode())
        for text in texts:
            digest.update(text.encode("utf-8") + b"\0")
        return self.cache_dir / f"examples-{digest.hexdigest()[:32]}.npy"

    def embed_catalog(self, texts: Sequence[str]) -> np.ndarray:
        """The examples' vectors, from the cache when it holds this model and these texts."""
        path = self.cache_path(texts)
        if path is not None and path.is_file():
            try:
                vectors = np.load(path, allow_pickle=False)
                if vectors.shape == (len(texts), self.encoder.dim):
                    return vectors.astype(np.float32, copy=False)
            except (OSError, ValueError) as error:
                log.warning("semantic cache %s unreadable (%s): recomputing", path, error)
        started = time.perf_counter()
        vectors = self.encoder.embed(texts)
        log.info("embedded %d examples in %.1f s", len(texts), time.perf_counter() - started)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{os.getpid()}.tmp")
                with partial.open("wb") as handle:
                    np.save(handle, vectors, allow_pickle=False)
                partial.replace(path)  # whole or not at all, even with two bots starting
            except OSError as error:
                log.warning(
                    "cannot write the semantic cache %s (%s): set %s", path, error, ENV_CACHE
                )
        return vectors


def load_semantic(folder: str | Path, env: Mapping[str, str] | None = None) -> SemanticModel:
    """Load the model in `folder`; ModelError (one line, with the fix) when it cannot be used."""
    env = os.environ if env is None else env
    if not str(folder).strip():
        raise ModelError(f"{ENV_MODEL} is empty: name a model folder or unset it")
    return SemanticModel(Path(folder).expanduser(), default_cache(env))
