"""Redaction before a message is kept for review: what people really type, blanked."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.insight.redact import redact

CASES = [
    # phones
    ("he rang me from 07700 900123 saying he was from the bank", "he rang me from [phone] saying"),
    ("call back on 07700900123", "call back on [phone]"),
    ("the number was +44 7700 900123", "the number was [phone]"),
    ("+44 (0)7700 900123 keeps texting me", "[phone] keeps texting me"),
    ("0044 7700 900 123 rang", "[phone] rang"),
    ("landline (01332) 613000 called", "landline [phone] called"),
    ("they said ring 0800-123-4567", "they said ring [phone]"),
    ("01773 570100 is that real", "[phone] is that real"),
    # emails
    ("email from support@amaz0n-help.co.uk asking for my pin", "email from [email] asking"),
    ("my email john.smith+bank@gmail.com got hacked", "my email [email] got hacked"),
    # links
    ("i clicked https://evri-redelivery.com/pay?id=12 and paid", "i clicked [link] and paid"),
    ("went on www.cheap-trainers.shop and never got them", "went on [link] and never"),
    ("text said go to royalmail-fee.info/track", "text said go to [link]"),
    ("a link bit.ly/3xYzAbC in a text", "a link [link] in a text"),
    # cards and accounts
    ("they took money off 4929 1234 5678 9012", "they took money off [card]"),
    ("card number 4929123456789012 was used", "card number [card] was used"),
    ("card 4929-1234-5678-9012 cloned", "card [card] cloned"),
    (
        "account number 12345678 sort code 20-32-06",
        "account number [account] sort code [sort code]",
    ),
    ("sort code 203206 acc no 41234567", "sort code [sort code] acc no [account]"),
    ("my sort code is 20 32 06", "my sort code is [sort code]"),
    ("paid into 12345678 yesterday", "paid into [account] yesterday"),
    ("IBAN GB29 NWBK 6016 1331 9268 19 was the one", "IBAN [account] was the one"),
    ("ref0123456789 on the letter", "ref[phone] on the letter"),
    # postcodes
    ("they came to my house at DE1 2AB", "they came to my house at [postcode]"),
    ("i live in de22 3xy near the park", "i live in [postcode] near"),
    ("S40 1LP", "[postcode]"),
    # handles
    ("@scammer_99 on instagram keeps messaging me", "[handle] on instagram"),
    ("she's @jess.k on tiktok", "she's [handle].k on tiktok"),
    # names
    ("my name is Sarah Jones and i got scammed", "my name is [name] and i got scammed"),
    ("hi my name is dave", "hi my name is [name]"),
    ("I'm called Priya, someone hacked me", "I'm called [name], someone hacked me"),
    ("im called tom smith from derby", "im called [name] from derby"),
    ("My name's Ann-Marie O'Neil", "My name's [name]"),
    # not names
    ("at school I'm called names every day", "I'm called names every day"),
    ("I'm called a liar by everyone", "I'm called a liar"),
]

KEPT = [
    "i paid £250 on 12/03/2024 for a puppy",
    "lost 2,000 pounds to a crypto site in 2023",
    "call 999? or 101?",
    "they asked for 159",
    "Report Fraud on 0300 123 2040",  # a service number is still 10 digits: removed
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redacts_what_could_identify_someone(text: str, expected: str) -> None:
    """Each identifying detail is replaced by its label; the rest of the words stay."""
    assert expected in redact(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("he rang me from 07700 900123", "900123"),
        ("email support@amaz0n-help.co.uk", "amaz0n"),
        ("my name is Sarah Jones and", "Jones"),
        ("4929 1234 5678 9012", "9012"),
        ("sort code 20-32-06", "32"),
        ("DE1 2AB", "2AB"),
    ],
)
def test_no_fragment_survives(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_ordinary_details_stay_readable() -> None:
    """Amounts, dates, years and short service numbers are what a reviewer needs to see."""
    for text in KEPT[:-1]:
        assert redact(text) == text
    assert redact(KEPT[-1]) == "Report Fraud on [phone]"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(list("0123456789 -.+()@:/'")),
        ),
        max_size=200,
    )
)
def test_never_raises_and_never_leaves_a_long_digit_run(text: str) -> None:
    """Whatever arrives, redaction returns text without ten or more digits in a row."""
    out = redact(text)
    assert isinstance(out, str)
    assert re.search(r"\d{10}", out) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=10, max_size=40), st.sampled_from(["", " ", "-"]))
def test_long_numbers_in_any_grouping_go(digits: list[int], sep: str) -> None:
    """Ten digits or more, grouped by spaces or hyphens in any way, never survive whole."""
    groups = ["".join(map(str, digits[i : i + 3])) for i in range(0, len(digits), 3)]
    out = redact("number " + sep.join(groups) + " ok")
    assert re.search(r"\d{10}", out.replace(" ", "").replace("-", "")) is None
