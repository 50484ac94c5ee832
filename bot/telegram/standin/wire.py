"""Wire format of the stand-in: HTTP framing, parameter decoding and user-side message bodies.

Pure helpers for standin.py: no sockets, no telegram import.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "commands",
        "message_ids",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "scope",
    }
)
KIND_BODIES: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]},
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "us1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 3}},
    "audio": {"audio": {"file_id": "a1", "file_unique_id": "ua1", "duration": 30}},
    "video": {
        "video": {
            "file_id": "vd1",
            "file_unique_id": "uvd1",
            "width": 640,
            "height": 480,
            "duration": 5,
        }
    },
    "video_note": {
        "video_note": {"file_id": "n1", "file_unique_id": "un1", "length": 240, "duration": 5}
    },
    "animation": {
        "animation": {
            "file_id": "g1",
            "file_unique_id": "ug1",
            "width": 200,
            "height": 200,
            "duration": 2,
        },
        "document": {"file_id": "g1", "file_unique_id": "ug1"},
    },
    "document": {"document": {"file_id": "d1", "file_unique_id": "ud1", "file_name": "scan.pdf"}},
    "location": {"location": {"latitude": 52.92, "longitude": -1.48}},
    "contact": {"contact": {"phone_number": "+440000000000", "first_name": "Someone"}},
    "poll": {
        "poll": {
            "id": "poll1",
            "question": "Which?",
            "options": [
                {"text": "A", "voter_count": 0, "persistent_id": "o1"},
                {"text": "B", "voter_count": 0, "persistent_id": "o2"},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
    "dice": {"dice": {"emoji": "🎲", "value": 3}},
}
KINDS = tuple(KIND_BODIES)

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    502: "Bad Gateway",
}


def http_response(status: int, body: dict[str, Any]) -> bytes:
    """Frame a JSON body as an HTTP/1.1 response (keep-alive, as Telegram's servers do)."""
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("latin-1") + payload


def parse_body(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            raise ValueError("request body must be a JSON object")
        return parsed
    if kind == "application/x-www-form-urlencoded":
        return coerce(dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)))
    raise ValueError(f"unsupported content type {kind or 'none'} in the stand-in")


def coerce(form: dict[str, str]) -> dict[str, Any]:
    """Turn form strings back into values: objects from JSON, flags from true/false."""
    params: dict[str, Any] = {}
    for key, value in form.items():
        if key in JSON_PARAMS:
            try:
                params[key] = json.loads(value)
            except ValueError:
                raise ValueError(f"can't parse {key} JSON object") from None
        elif value in {"true", "false"}:
            params[key] = value == "true"
        else:
            params[key] = value
    return params


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities(text: str) -> list[dict[str, Any]]:
    entities = []
    command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?", text)
    if command:
        entities.append(
            {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))}
        )
    for mention in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
        offset = _utf16_len(text[: mention.start()])
        entities.append(
            {"type": "mention", "offset": offset, "length": _utf16_len(mention.group(0))}
        )
    return entities
