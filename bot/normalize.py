"""Turn what someone typed into the canonical form that matching and the safety screen compare.

Pure: no I/O. One function, used for messages and for the catalog alike, so both sides of a
comparison are always normalised the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Text-speak and the misspellings seen most in victims' messages, mapped to the plain word.
# Keys are whole tokens after punctuation is removed (so "don't" arrives as "dont").
TEXT_SPEAK: dict[str, str] = {
    "u": "you",
    "ya": "you",
    "ur": "your",
    "youre": "you are",
    "r": "are",
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "wasnt": "was not",
    "havent": "have not",
    "hasnt": "has not",
    "couldnt": "could not",
    "shouldnt": "should not",
    "theyre": "they are",
    "theyve": "they have",
    "hes": "he is",
    "shes": "she is",
    "whats": "what is",
    "thats": "that is",
    "theres": "there is",
    "pls": "please",
    "plz": "please",
    "plez": "please",
    "thx": "thanks",
    "thanx": "thanks",
    "ty": "thank you",
    "tq": "thank you",
    "msg": "message",
    "msgs": "messages",
    "txt": "text",
    "txts": "texts",
    "txted": "texted",
    "acc": "account",
    "acct": "account",
    "accnt": "account",
    "acount": "account",
    "accout": "account",
    "pw": "password",
    "pwd": "password",
    "passwrd": "password",
    "pasword": "password",
    "bc": "because",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bcoz": "because",
    "ppl": "people",
    "sum1": "someone",
    "some1": "someone",
    "sumone": "someone",
    "someon": "someone",
    "any1": "anyone",
    "no1": "no one",
    "every1": "everyone",
    "b4": "before",
    "2day": "today",
    "2nite": "tonight",
    "tonite": "tonight",
    "2moro": "tomorrow",
    "tmrw": "tomorrow",
    "fb": "facebook",
    "insta": "instagram",
    "ig": "instagram",
    "whatsap": "whatsapp",
    "watsapp": "whatsapp",
    "watsap": "whatsapp",
    "whatapp": "whatsapp",
    "snap": "snapchat",
    "abt": "about",
    "wot": "what",
    "wat": "what",
    "wht": "what",
    "wen": "when",
    "hw": "how",
    "recieved": "received",
    "recieve": "receive",
    "recived": "received",
    "scamed": "scammed",
    "scamd": "scammed",
    "hackd": "hacked",
    "haked": "hacked",
    "hackked": "hacked",
    "pic": "picture",
    "pics": "pictures",
    "pix": "pictures",
    "vid": "video",
    "vids": "videos",
    "nudez": "nudes",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "mam": "mum",
    "mom": "mum",
    "n": "and",
    "nd": "and",
    "tho": "though",
    "thru": "through",
    "wiv": "with",
    "wid": "with",
    "luv": "love",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "dunno": "do not know",
    "idk": "i do not know",
    "omg": "oh my god",
    "asap": "as soon as possible",
    "rn": "right now",
    "rite": "right",
    "kms": "kill myself",
    "kys": "kill yourself",
    "wana": "want to",
    "wnt": "want",
    "tyvm": "thank you very much",
    "thnx": "thanks",
    "thnks": "thanks",
    "ttyl": "talk to you later",
    "gtg": "got to go",
    "g2g": "got to go",
    "cya": "see you",
    "hii": "hi",
    "hiii": "hi",
    "heyy": "hey",
    "heyyy": "hey",
    "helo": "hello",
    "hellooo": "hello",
    "yo": "hi",
    "polise": "police",
    "polis": "police",
}

_APOSTROPHES = "'’‘`´"
_REPEATS = re.compile(r"(\w)\1{2,}")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
_UNDERSCORE = re.compile(r"_+")


def strip_accents(text: str) -> str:
    """Drop accents from Latin letters only, so 'café' matches 'cafe' but other scripts survive."""
    if text.isascii():
        return text
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Return the canonical form of a message: the same for a tidy and a hurried spelling.

    >>> normalize("I've been SCAMMED!!! 😭 sum1 took £500 off my acc")
    'i have been scammed someone took 500 off my account'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = strip_accents(text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    # Emoji, symbols and punctuation carry no evidence: turn them into word breaks.
    text = _NOT_WORD.sub(" ", text)
    text = _UNDERSCORE.sub(" ", text)
    # "pleeeease" and "helllp": three or more of a letter is emphasis, not spelling.
    text = _REPEATS.sub(r"\1\1", text)
    words = [TEXT_SPEAK.get(word, word) for word in text.split()]
    return _SPACES.sub(" ", " ".join(words)).strip()
