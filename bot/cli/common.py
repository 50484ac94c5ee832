"""What several commands share: loading content, reading settings, opening the state store.

Settings are read from the environment here and nowhere else below the command line.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = Path("data") / "state.db"  # where `run` keeps state when BOT_DB is unset
SEMANTIC_ENV = "BOT_SEMANTIC_MODEL"  # bot.semantic.ENV_MODEL, named here so it loads lazily


def semantic_model(args: argparse.Namespace):
    """The re-ranker's model, or None when none is named (the default: the matcher alone).

    `--semantic PATH` (eval, classify) must work: a bad folder raises ModelError for the
    command to report. BOT_SEMANTIC_MODEL (run, chat) is best effort: a bad folder is one
    warning and the bot runs on without it.
    """
    named = getattr(args, "semantic", None)
    folder = os.environ.get(SEMANTIC_ENV) if args.command in (None, "run", "chat") else None
    if named is None and folder is None:
        return None  # the default: bot.semantic (and tokenizers) are never imported
    from bot.semantic import ENV_MODEL, ModelError, load_semantic

    if named is not None:
        return load_semantic(named)
    try:
        return load_semantic(folder)
    except ModelError as error:
        logging.getLogger(__name__).warning(
            "semantic re-ranker off (%s=%s): %s", ENV_MODEL, folder, error
        )
        return None


def load_pipeline(args: argparse.Namespace):
    """Load content and build the matcher; print the problems and return None on failure.

    Raises ModelError when `--semantic PATH` names an unusable model folder.
    """
    from bot.content.gate import gate
    from bot.content.problem import refusal_lines
    from bot.core.matcher import Matcher, MatcherConfig
    from bot.core.rerank import FusedMatcher
    from bot.core.safety import SafetyScreen
    from bot.insight.evaluate import Pipeline

    # The same gate and the same lines as `validate` and a reload: never serve bad content.
    gated = gate(args.content)
    content = gated.content
    if content is None:
        for line in refusal_lines(gated.problems):
            print(line, file=sys.stderr)
        return None
    for problem in gated.problems:
        logging.getLogger(__name__).warning("%s", problem.format())
    embedder = semantic_model(args)
    matcher = Matcher(content, MatcherConfig.load())
    screen = SafetyScreen(content, matcher)
    if embedder is not None:
        return content, Pipeline(FusedMatcher(matcher, embedder), screen)
    return content, Pipeline(matcher, screen)


def stdin_bytes():
    """The raw byte stream under stdin (so we decode, strictly, per line), or stdin itself."""
    return getattr(sys.stdin, "buffer", sys.stdin)


def stdin_lines():
    """Lines of stdin as they arrive, as bytes where possible; stops at end of input."""
    stream = stdin_bytes()
    while line := stream.readline():
        yield line


def live_engine(args: argparse.Namespace, review_days: int | None = None):
    from bot.core.engine import Engine
    from bot.session import LiveEngine

    loaded = load_pipeline(args)
    if loaded is None:
        return None
    content, pipeline = loaded
    semantic = getattr(pipeline.matcher, "embedder", None)  # kept for reloads
    engine = Engine(
        content, pipeline.matcher, pipeline.screen, review_days=review_days, semantic=semantic
    )
    return LiveEngine(engine, args.content)


class StartupError(Exception):
    """The bot cannot start as configured; str() is the one line for the operator."""


def state_settings():
    """Check the state settings up front; print one line and return None if one is wrong."""
    from bot.state.settings import SettingsError, settings_from_env

    try:
        return settings_from_env(os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def insight_settings():
    """Check BOT_REVIEW_UNMATCHED and BOT_REVIEW_DAYS; print one line and return None if wrong."""
    from bot.insight.settings import insight_from_env
    from bot.state.settings import SettingsError

    try:
        return insight_from_env(os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def with_recorder(store, db: Path | None, insight):
    from bot.insight import recorder

    return recorder.with_recorder(store, db, insight.review, insight.review_days, err=sys.stderr)


def state_store(settings, *, memory_default: bool):
    """Build the store the settings ask for; StartupError if its secret cannot be had."""
    from bot.state.cached_store import CachedStore
    from bot.state.secret import load_or_create_secret
    from bot.state.sqlite_store import SqliteStore
    from bot.state.store import MemoryStore

    ttl = settings.ttl
    if settings.db is None and memory_default:
        return MemoryStore(ttl_seconds=ttl)
    path = settings.db or DEFAULT_DB
    secret_path = None
    try:
        if settings.state_secret is None:
            secret_path = settings.secret_path(path)
        secret = load_or_create_secret(secret_path or path, settings.state_secret)
    except (OSError, RuntimeError) as error:
        where = f" {secret_path}" if secret_path else ""
        reason = getattr(error, "strerror", None) or str(error)
        raise StartupError(
            f"cannot read or create the state secret file{where} ({reason}): set "
            "BOT_STATE_SECRET, or BOT_SECRET_FILE to a file the bot may write"
        ) from None
    return CachedStore(SqliteStore(path, secret=secret, ttl_seconds=ttl), ttl_seconds=ttl)
