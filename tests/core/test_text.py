"""Names as stored (zero-width characters, look-alike scripts) and CSV cells that a
spreadsheet never runs."""

from __future__ import annotations

import pytest

from sahayata.core.text import csv_cell, name_clean, name_mixes_scripts


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ri\u200bna Das", "Rina Das"),  # zero-width space
        ("\ufeffRina Das", "Rina Das"),  # byte-order mark
        ("\u202eRina\u202c Das", "Rina Das"),  # right-to-left override
        ("Rina\u200d Das", "Rina Das"),  # a joiner outside a Bengali word
        ("Rina\u2060Das", "RinaDas"),  # word joiner
        ("  Rina   Das  ", "Rina Das"),
        ("রি\u200bনা দাস", "রিনা দাস"),
        ("র\u200d্যাব", "র\u200d্যাব"),  # ZWJ inside a Bengali word shapes the conjunct
        ("ক্\u200cষ", "ক্\u200cষ"),  # so does ZWNJ
        ("Jose\u0301", "José"),  # NFC
        ("O'Brien-Smith", "O'Brien-Smith"),
    ],
)
def test_names_lose_invisible_characters(typed: str, stored: str) -> None:
    assert name_clean(typed) == stored


@pytest.mark.parametrize(
    ("name", "mixed"),
    [
        ("R\u0430hul Das", True),  # Cyrillic a in a Latin word
        ("Rin\u03b1", True),  # Greek alpha
        ("Rinaদাস", True),  # Latin and Bengali in one word
        ("Rina দাস", False),  # words of two scripts side by side
        ("রিনা দাস", False),
        ("José Ráhul", False),
        ("Rina Das 2", False),
    ],
)
def test_one_word_may_not_mix_scripts(name: str, mixed: bool) -> None:
    assert name_mixes_scripts(name) is mixed


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Rina Das", "Rina Das"),
        ("", ""),
        (-500, -500),  # numbers stay numbers
        (None, None),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: object) -> None:
    assert csv_cell(value) == cell
