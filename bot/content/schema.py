"""The shape of every content file as pydantic models, with errors mapped back to lines.

Boundary: validates values already read by yamlload; no I/O. Cross-file rules live in checks.
"""

from __future__ import annotations

import difflib
import logging
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.content.problem import Problem
from bot.content.yamlload import Doc, Loc

log = logging.getLogger(__name__)

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SafetyModel(_Strict):
    triggers: list[str] = []
    together: list[str] = []
    anywhere: list[str] = []
    resolved: list[str] = []
    urging: list[str] = []
    agreeing: list[str] = []
    blockers: list[str] = []


class IntentModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    kind: Literal["crime", "service", "negative"]
    title: str
    description: str
    group: str | None = None
    keywords: list[str] = []
    examples: list[str]
    safety: SafetyModel | None = None


class SectionModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    text: str


class AnswerModel(_Strict):
    id: Literal["yes", "no", "unsure", "under_18", "adult"]
    label: str
    text: str


class QuestionModel(_Strict):
    # "age": asked before any routes, answered under_18 / adult, skipped when the message
    # already gives an age (bot/core/age.py).
    kind: Literal["yes_no", "age"] = "yes_no"
    text: str
    answers: list[AnswerModel]


class ResponseModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    first_reply: str
    sections: list[SectionModel] = []
    question: QuestionModel | None = None
    quick_exit: bool = False


class RouteModel(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    purpose: str
    who: str
    contacts: dict[str, str]
    hours: str | None = None
    notes: str | None = None
    source: list[str]
    reviewed: str


class RoutesFileModel(_Strict):
    routes: list[dict[str, object]]


class SystemModel(_Strict):
    texts: dict[str, str]


M = TypeVar("M", bound=BaseModel)


def _got(value: object) -> str:
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    return f"{value!r}"


def _known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the (nested) model that owns `loc`, for 'did you mean' hints."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        current = None
        if field is not None:
            for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
                inner = getattr(candidate, "__args__", (candidate,))
                for item in (candidate, *inner):
                    if isinstance(item, type) and issubclass(item, BaseModel):
                        current = item
    return list(current.model_fields) if current else []


def _message(model: type[BaseModel], error: dict[str, object]) -> str:
    loc: Loc = tuple(error["loc"])  # type: ignore[arg-type]
    kind = error["type"]
    value = error.get("input")
    name = str(loc[-1]) if loc else "file"
    if kind == "missing":
        return f"missing key {name!r}: see docs/content-format.md for what it holds"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key {name!r} ({hint}expected one of: {', '.join(known)})"
    if isinstance(value, bool) or (value is None and kind.endswith("_type")):
        return f"{name}: expected text, got {_got(value)}: put it in quotes"
    if kind == "string_type":
        return f"{name}: expected text, got {_got(value)}"
    if kind == "list_type":
        return f"{name}: expected a list ('- ' lines), got {_got(value)}"
    if kind in ("dict_type", "model_type"):
        return f"{name}: expected a mapping (key: value lines), got {_got(value)}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")  # type: ignore[union-attr]
        return f"{name}: expected one of {expected}, got {_got(value)}"
    if kind == "string_pattern_mismatch":
        return f"{name} {value!r} must be snake_case: lower-case letters, digits and _"
    return f"{name}: {error['msg']}"


def validate(
    doc: Doc, model: type[M], *, data: object = None, prefix: Loc = ()
) -> tuple[M | None, list[Problem]]:
    """Validate `data` (default: the whole file) as `model`; every error gets its line."""
    try:
        value = doc.data if data is None and not prefix else data
        return model.model_validate(value), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc: Loc = (*prefix, *error["loc"])
            line = doc.line(loc) if error["type"] != "missing" else doc.value_line(loc[:-1])
            problems.append(Problem(doc.path, line, _message(model, error)))  # type: ignore[arg-type]
        return None, problems
