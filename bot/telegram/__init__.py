"""The Telegram edge: python-telegram-bot in, core replies out. Thin on purpose.

`app` builds and runs the Application; `adapter` holds the callbacks; `deliver`, `guard`,
`priority` and `webhook` handle sending, faults, crisis-first ordering and the webhook door.
The `standin` subpackage is a test double: a strict Bot API on 127.0.0.1 that
`python -m bot test --telegram` and the tests drive; it is never used to serve real users.
"""

from __future__ import annotations
