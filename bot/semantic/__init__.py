"""The optional semantic re-ranker's model side: a numpy BERT encoder and its example cache.

Needs the `semantic` extra (tokenizers, safetensors) and a local model folder; see
docs/matching.md. Nothing here is imported unless an operator names a model.
"""

from __future__ import annotations

from bot.semantic.bert import BertEncoder, ModelError
from bot.semantic.model import ENV_CACHE, ENV_MODEL, SemanticModel, load_semantic

__all__ = ["ENV_CACHE", "ENV_MODEL", "BertEncoder", "ModelError", "SemanticModel", "load_semantic"]
