"""The optional semantic re-ranker: the numpy encoder on a tiny model built here, its cache,
the fusion with the matcher, and that nothing changes while it is off."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

from bot.core.engine import Engine
from bot.core.matcher import Matcher, MatcherConfig
from bot.core.matcher_config import SemanticConfig
from bot.core.model import Content
from bot.core.rerank import FusedMatcher
from bot.semantic import ModelError, SemanticModel, load_semantic
from bot.semantic.bert import BertEncoder, erf
from bot.session import LiveEngine
from tests.conftest import run_bot

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "someone",
    "hacked",
    "my",
    "account",
    "bank",
    "text",
    "link",
    "money",
    "scam",
    "weather",
    "cake",
    "the",
    "a",
]
HIDDEN, LAYERS, HEADS, INNER, POSITIONS = 8, 2, 2, 16, 64


def build_tiny_model(folder: Path, seed: int = 0) -> Path:
    """A 2-layer, hidden-size-8 BERT with random weights and a WordPiece tokenizer."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS])}
    tokenizer = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))
    rng = np.random.default_rng(seed)

    def r(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    w = {
        "embeddings.word_embeddings.weight": r(len(vocab), HIDDEN),
        "embeddings.position_embeddings.weight": r(POSITIONS, HIDDEN),
        "embeddings.token_type_embeddings.weight": r(2, HIDDEN),
        "embeddings.LayerNorm.weight": np.ones(HIDDEN, np.float32),
        "embeddings.LayerNorm.bias": np.zeros(HIDDEN, np.float32),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            w[f"{p}attention.self.{name}.weight"] = r(HIDDEN, HIDDEN)
            w[f"{p}attention.self.{name}.bias"] = r(HIDDEN)
        w[f"{p}attention.output.dense.weight"] = r(HIDDEN, HIDDEN)
        w[f"{p}attention.output.dense.bias"] = r(HIDDEN)
        w[f"{p}intermediate.dense.weight"] = r(INNER, HIDDEN)
        w[f"{p}intermediate.dense.bias"] = r(INNER)
        w[f"{p}output.dense.weight"] = r(HIDDEN, INNER)
        w[f"{p}output.dense.bias"] = r(HIDDEN)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            w[f"{p}{norm}.weight"] = np.ones(HIDDEN, np.float32)
            w[f"{p}{norm}.bias"] = np.zeros(HIDDEN, np.float32)
    save_file(w, str(folder / "model.safetensors"))
    config = {
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INNER,
        "max_position_embeddings": POSITIONS,
        "layer_norm_eps": 1e-12,
    }
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny-bert"))


class TestEncoder:
    def test_one_unit_vector_per_text(self, tiny: Path) -> None:
        vectors = BertEncoder(tiny).embed(["someone hacked my account", "cake", ""])
        assert vectors.shape == (3, HIDDEN)
        assert vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_same_text_same_vector_whatever_its_batch(self, tiny: Path) -> None:
        """Padding to a longer neighbour must not move a text's vector (the mask works)."""
        encoder = BertEncoder(tiny)
        alone = encoder.embed(["bank text link"])[0]
        padded = encoder.embed(["bank text link", "someone hacked my bank account money scam"])
        again = BertEncoder(tiny).embed(["bank text link"])[0]
        assert float(alone @ padded[0]) == pytest.approx(1.0, abs=1e-6)
        assert np.array_equal(alone, again)

    def test_different_texts_differ(self, tiny: Path) -> None:
        a, b = BertEncoder(tiny).embed(["someone hacked my account", "the weather cake"])
        assert float(a @ b) < 0.99

    def test_erf_matches_the_standard_library(self) -> None:
        xs = np.linspace(-6, 6, 2001)
        assert np.max(np.abs(erf(xs) - np.array([math.erf(x) for x in xs]))) < 1e-6

    def test_missing_folder_says_what_to_name(self, tmp_path: Path) -> None:
        with pytest.raises(ModelError, match=r"missing .*model\.safetensors.*name the folder"):
            BertEncoder(tmp_path / "nowhere")

    def test_broken_weights_say_how_to_fix(self, tiny: Path, tmp_path: Path) -> None:
        broken = build_tiny_model(tmp_path / "broken")
        (broken / "model.safetensors").write_bytes(b"not a safetensors file")
        with pytest.raises(ModelError, match=r"could not be read as a BERT model.*install"):
            BertEncoder(broken)


class TestCache:
    def test_warm_start_reads_the_cache(self, tiny: Path, tmp_path: Path) -> None:
        texts = ["someone hacked my account", "bank text link"]
        cold = SemanticModel(tiny, tmp_path / "cache")
        first = cold.embed_catalog(texts)
        files = list((tmp_path / "cache").glob("*.npy"))
        assert len(files) == 1
        # Overwrite the cache with known vectors: a warm start must return exactly those.
        planted = np.eye(2, HIDDEN, dtype=np.float32)
        np.save(files[0], planted)
        warm = SemanticModel(tiny, tmp_path / "cache").embed_catalog(texts)
        assert np.array_equal(warm, planted)
        assert not np.array_equal(first, planted)

    def test_changed_examples_get_a_new_cache_file(self, tiny: Path, tmp_path: Path) -> None:
        model = SemanticModel(tiny, tmp_path / "cache")
        model.embed_catalog(["bank text link"])
        model.embed_catalog(["bank text link", "cake"])
        assert len(list((tmp_path / "cache").glob("*.npy"))) == 2
        for extra in ("money", "scam", "weather"):
            model.embed_catalog(["bank text link", extra])
        assert len(list((tmp_path / "cache").glob("*.npy"))) == 3  # the newest three

    def test_an_edited_catalog_embeds_only_its_new_examples(
        self, tiny: Path, tmp_path: Path
    ) -> None:
        """After an edit, a restart reuses the old vectors: only "cake" is computed."""
        SemanticModel(tiny, tmp_path / "cache").embed_catalog(["bank text link", "money scam"])
        [old] = list((tmp_path / "cache").glob("*.npy"))
        planted = np.eye(2, HIDDEN, dtype=np.float32)
        np.save(old, planted)
        restarted = SemanticModel(tiny, tmp_path / "cache")
        vectors = restarted.embed_catalog(["money scam", "cake", "bank text link"])
        assert np.array_equal(vectors[[2, 0]], planted)
        assert np.allclose(vectors[1], BertEncoder(tiny).embed(["cake"])[0])

    def test_cache_folder_from_the_environment(self, tiny: Path, tmp_path: Path) -> None:
        model = load_semantic(tiny, {"BOT_SEMANTIC_CACHE": str(tmp_path / "c")})
        model.embed_catalog(["cake"])
        assert list((tmp_path / "c").glob("*.npy"))


class PointingEmbedder:
    """Each example embeds as its intent's axis; every message points at `target`."""

    def __init__(self, matcher: Matcher, target: str) -> None:
        self.matcher = matcher
        self.target = target

    def embed_catalog(self, texts: Sequence[str]) -> np.ndarray:
        owners = self.matcher.index.example_owner
        return np.eye(len(self.matcher.intent_ids), dtype=np.float32)[owners[: len(texts)]]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        axis = self.matcher.intent_ids.index(self.target)
        return np.eye(len(self.matcher.intent_ids), dtype=np.float32)[[axis] * len(texts)]


HACKED = "someone hacked my instagram account"


class TestFusion:
    def test_embeddings_pointing_elsewhere_change_the_ranking(self, matcher: Matcher) -> None:
        assert matcher.classify(HACKED).intent == "account_hacking"
        fused = FusedMatcher(matcher, PointingEmbedder(matcher, "phishing"))
        match = fused.classify(HACKED)
        assert match.alternatives[0].intent == "phishing"
        assert "account_hacking" in [c.intent for c in match.alternatives]

    def test_agreeing_embeddings_keep_the_match(self, matcher: Matcher) -> None:
        fused = FusedMatcher(matcher, PointingEmbedder(matcher, "account_hacking"))
        match = fused.classify(HACKED)
        assert (match.decision, match.intent) == ("matched", "account_hacking")
        assert match.score > matcher.classify(HACKED).score

    def test_closest_to_everyday_examples_is_no_match(self, matcher: Matcher) -> None:
        fused = FusedMatcher(matcher, PointingEmbedder(matcher, "out_of_scope"))
        match = fused.classify(HACKED)
        assert (match.decision, match.intent, match.offered) == ("no_match", None, ())

    def test_weight_one_is_the_matcher_alone(self, matcher: Matcher) -> None:
        only = matcher.config.semantic.model_copy(update={"weight": 1.0})
        fused = FusedMatcher(matcher, PointingEmbedder(matcher, "phishing"), only)
        assert fused.classify(HACKED).alternatives == matcher.classify(HACKED).alternatives

    def test_safety_scores_stay_the_matchers(self, matcher: Matcher) -> None:
        fused = FusedMatcher(matcher, PointingEmbedder(matcher, "emergency"))
        assert fused.scores("he is outside my door now") == matcher.scores(
            "he is outside my door now"
        )

    def test_explain_names_the_semantic_neighbours(self, matcher: Matcher) -> None:
        fused = FusedMatcher(matcher, PointingEmbedder(matcher, "phishing"))
        evidence = fused.classify(HACKED, explain=True).evidence or {}
        assert evidence["semantic"][0] == {"intent": "phishing", "similarity": 1.0}


class TestOffByDefault:
    def test_engine_without_a_model_uses_the_plain_matcher(self, content: Content) -> None:
        assert type(Engine(content).matcher) is Matcher

    def test_config_validates_the_semantic_block(self, tmp_path: Path) -> None:
        loaded = MatcherConfig.load()
        assert isinstance(loaded.semantic, SemanticConfig)
        bad = tmp_path / "matcher.yaml"
        bad.write_text("semantic:\n  weight: 1.5\n", encoding="utf-8")
        with pytest.raises(ValueError, match="weight"):
            MatcherConfig.load(bad)

    def test_classify_never_loads_the_model_code(self) -> None:
        code = (
            "import sys, io; from bot.cli import main; sys.stdin = io.StringIO('hello\\n'); "
            "main(['classify']); print('bot.semantic' in sys.modules, 'tokenizers' in sys.modules)"
        )
        env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        assert out.stdout.strip().splitlines()[-1] == "False False"


class TestOperator:
    def test_eval_with_a_missing_model_exits_2_with_the_fix(self, tmp_path: Path) -> None:
        done = run_bot("eval", "--semantic", str(tmp_path / "none"), env={})
        assert done.returncode == 2
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1
        assert "--semantic" in lines[0]
        assert "config.json, model.safetensors" in lines[0]

    def test_chat_runs_on_without_a_broken_model(self, tmp_path: Path) -> None:
        done = run_bot(
            "chat",
            "--jsonl",
            env={"BOT_SEMANTIC_MODEL": str(tmp_path / "none")},
            stdin=json.dumps({"text": HACKED}) + "\n",
        )
        assert done.returncode == 0
        assert "account_hacking" in done.stdout
        warnings = [line for line in done.stderr.splitlines() if "semantic" in line]
        assert len(warnings) == 1
        assert "BOT_SEMANTIC_MODEL" in warnings[0]

    def test_classify_with_the_tiny_model(self, tiny: Path, tmp_path: Path) -> None:
        done = run_bot(
            "classify",
            "--semantic",
            str(tiny),
            "--explain",
            env={"BOT_SEMANTIC_CACHE": str(tmp_path / "cache")},
            stdin=HACKED + "\n",
        )
        assert done.returncode == 0, done.stderr
        row = json.loads(done.stdout)
        assert len(row["evidence"]["semantic"]) == 3
        assert list((tmp_path / "cache").glob("*.npy"))

    def test_reload_keeps_the_re_ranker(
        self, tiny: Path, tmp_path: Path, content: Content
    ) -> None:
        model = SemanticModel(tiny, tmp_path / "cache")
        live = LiveEngine(Engine(content, semantic=model), ROOT)
        assert isinstance(live.engine.matcher, FusedMatcher)
        assert live.reload() == []
        assert isinstance(live.engine.matcher, FusedMatcher)
        assert live.engine.matcher.embedder is model
