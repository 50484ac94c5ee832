"""cyber-signpost: a chatbot that signposts victims of cybercrime in Derbyshire to help.

Imports nothing heavy on purpose: `validate`, `classify` and `chat` must never load telegram.
"""

__version__ = "0.1.0"
