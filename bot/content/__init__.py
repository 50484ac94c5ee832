"""Content: intents/ and responses/ YAML in, one immutable Content out, or every problem.

`gate.gate` is the one set of checks that validate, start-up and every reload run. Problems
come back as `file:line: message` in plain words, never a traceback.
"""

from __future__ import annotations
