"""State: the little a chat leaves behind, under a salted hash of its id, and for how long.

`store.StateStore` is the protocol; `MemoryStore`, `SqliteStore` and `CachedStore` implement
it. No message text is ever stored.
"""

from __future__ import annotations
