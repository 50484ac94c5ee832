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
    "sed": "said",
    # Dropped g's, typed as spoken.
    "jumpin": "jumping",
    "thinkin": "thinking",
    "goin": "going",
    "doin": "doing",
    "nothin": "nothing",
    "somethin": "something",
    "cuttin": "cutting",
    "endin": "ending",
    "killin": "killing",
    "takin": "taking",
    "feelin": "feeling",
    "tryin": "trying",
    "sayin": "saying",
    "comin": "coming",
    "followin": "following",
    "sendin": "sending",
    "gettin": "getting",
    "watchin": "watching",
    "waitin": "waiting",
    "talkin": "talking",
    "askin": "asking",
    "lookin": "looking",
    "hurtin": "hurting",
    "textin": "texting",
    "messagin": "messaging",
    "postin": "posting",
    "hackin": "hacking",
    "givin": "giving",
    "leavin": "leaving",
    "livin": "living",
    "drivin": "driving",
    "walkin": "walking",
    "standin": "standing",
    "sittin": "sitting",
    "bleedin": "bleeding",
    "hidin": "hiding",
    "runnin": "running",
    "chasin": "chasing",
    "bangin": "banging",
    "kickin": "kicking",
    "shoutin": "shouting",
    "threatenin": "threatening",
    "blackmailin": "blackmailing",
    "spendin": "spending",
    "screamin": "screaming",
    "stalkin": "stalking",
    "plannin": "planning",
    "savin": "saving",
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

# Characters that show nothing but split a word for a naive reader: every format character
# (Unicode Cf: zero-width space and joiners, soft hyphen, BOM, direction marks...), variation
# selectors, the combining grapheme joiner and the Hangul fillers. Format characters live
# only in planes 0, 1 and 14, so only those are scanned, once.
_EXTRA_INVISIBLE = (
    *range(0xFE00, 0xFE10),
    *range(0xE0100, 0xE01F0),
    *range(0x180B, 0x1810),
    0x034F,
    0x115F,
    0x1160,
    0x17B4,
    0x17B5,
    0x3164,
    0xFFA0,
)
_PLANES = (*range(0x20000), *range(0xE0000, 0xE1000))
_INVISIBLE: dict[int, None] = {
    code: None
    for code in (
        *(c for c in _PLANES if unicodedata.category(chr(c)) == "Cf"),
        *_EXTRA_INVISIBLE,
    )
}
# Cyrillic and Greek letters drawn like Latin ones, as they are after NFKC (which turns the
# lunate sigma ϲ into ς).
_LOOKALIKE_PAIRS = (
    "аa вb еe һh іi јj кk мm нh оo рp сc тt уy хx ѕs ԁd ԛq ԝw ӏl үy "
    "АA ВB ЕE КK МM НH ОO РP СC ТT УY ХX ІI ЈJ ЅS ҮY ԚQ ԜW ӀI "
    "αa βb γy εe ιi κk νv οo ρp τt υu χx ωw ςc ϳj άa έe ίi όo ύu "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX"
)
_LOOKALIKES = str.maketrans({pair[0]: pair[1] for pair in _LOOKALIKE_PAIRS.split()})
_LOOKALIKE_CHARS = "".join(pair[0] for pair in _LOOKALIKE_PAIRS.split())
_HAS_LOOKALIKE = re.compile(f"[{_LOOKALIKE_CHARS}]")
_LATIN_RANGES = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_LATIN = re.compile(f"[{_LATIN_RANGES}]")
# A letter that is neither Latin nor a look-alike: the sign of a really foreign word.
_FOREIGN = re.compile(rf"[^\W\d_{_LATIN_RANGES}{_LOOKALIKE_CHARS}]")
_WORD = re.compile(r"\w+")

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


def clean(text: str) -> str:
    """Undo disguises, so the safety screen and the matcher read what the person sees.

    Removes invisible characters, folds full-width and other compatibility forms (NFKC) and
    turns Cyrillic or Greek look-alikes back into Latin letters where they hide in English:
    inside a word with a Latin letter, or as a whole word ("һе") in a message whose other
    letters are all Latin. A word or message really written in Cyrillic or Greek (with
    letters such as д, и, л, θ, λ) keeps its letters, so the "I read English" reply still
    works. Plain ASCII, nearly every message, returns at once.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text.translate(_INVISIBLE))
    if _HAS_LOOKALIKE.search(text) is None:
        return text
    latin = len(_LATIN.findall(text))
    whole_words = latin > 0 and latin >= len(_FOREIGN.findall(text))

    def unmask(match: re.Match[str]) -> str:
        word = match.group()
        if _LATIN.search(word) or (whole_words and not _FOREIGN.search(word)):
            return word.translate(_LOOKALIKES)
        return word

    return _WORD.sub(unmask, text)


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Return the canonical form of a message: the same for a tidy and a hurried spelling.

    >>> normalize("I've been SCAMMED!!! 😭 sum1 took £500 off my acc")
    'i have been scammed someone took 500 off my account'
    """
    text = clean(text).casefold()
    if not text.isascii():
        text = clean(text)  # casefolding can make a look-alike ("ͅ" becomes "ι")
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
