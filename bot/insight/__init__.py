"""What the running bot learns about itself, in aggregate: usage counts and, only when an
operator turns it on, redacted messages it did not understand (for improving the content).

Nothing here holds a chat id, and nothing is finer than a day. The conversation core never
imports this package; session.handle is told about each turn through an observer callable.
"""

from __future__ import annotations
