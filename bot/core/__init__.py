"""The core: text in, replies out. Normalise, match, screen for safety, decide, compose.

Pure and synchronous: no I/O after construction, no telegram, no sqlite. Everything above
(content, state, session, channels, cli) may import this; it imports none of them.
"""

from __future__ import annotations
