"""Amounts as people type them (``parse_rupees``) and amounts in words, both languages."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sahayata.core.money import (
    AMOUNT_PROBLEMS,
    AmountError,
    amount_in_words,
    bengali_digits,
    format_inr,
    parse_rupees,
    rupees_input,
)

POSITIVE = st.integers(min_value=1, max_value=10**15)
LANGS = st.sampled_from(["en", "bn"])


@pytest.mark.parametrize(
    ("typed", "paise"),
    [
        ("1650", 165_000),
        ("1,650.00", 165_000),
        ("1,650.5", 165_050),
        ("১,৬৫০", 165_000),
        ("১৬৫০.৭৫", 165_075),
        ("16,50,000", 165_000_000),  # Indian grouping
        ("1,650,000", 165_000_000),  # international grouping
        ("₹ 1,650", 165_000),
        ("Rs. 1650/-", 165_000),
        ("  45000 ", 4_500_000),
        ("0.50", 50),
        ("1650.", 165_000),
    ],
)
def test_what_people_write_is_read(typed: str, paise: int) -> None:
    assert parse_rupees(typed) == paise


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "not_an_amount"),
        ("abc", "not_an_amount"),
        ("16.50.00", "not_an_amount"),
        ("1,65,0", "not_an_amount"),  # commas in no grouping anyone uses
        ("12,3456", "not_an_amount"),
        ("1e5", "not_an_amount"),
        ("1650 paise", "not_an_amount"),
        ("16.505", "too_many_decimals"),
        ("-50", "negative"),
        ("₹-50", "negative"),
        ("0", "zero"),
        ("0.00", "zero"),
    ],
)
def test_garbage_is_refused_with_a_stable_code(typed: str, code: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_rupees(typed)
    assert refused.value.code == code and code in AMOUNT_PROBLEMS
    assert parse_rupees("0", allow_zero=True) == 0


@given(POSITIVE, LANGS)
def test_what_the_site_prints_reads_back(paise: int, lang: str) -> None:
    assert parse_rupees(format_inr(paise, lang=lang)) == paise
    assert parse_rupees(rupees_input(paise)) == paise
    assert parse_rupees(bengali_digits(rupees_input(paise))) == paise


@pytest.mark.parametrize(
    ("paise", "english", "bengali"),
    [
        (165_000, "Rupees one thousand six hundred fifty only", "এক হাজার ছয়শো পঞ্চাশ টাকা মাত্র"),
        (
            165_050,
            "Rupees one thousand six hundred fifty and fifty paise only",
            "এক হাজার ছয়শো পঞ্চাশ টাকা পঞ্চাশ পয়সা মাত্র",
        ),
        (165_000_000, "Rupees sixteen lakh fifty thousand only", "ষোলো লক্ষ পঞ্চাশ হাজার টাকা মাত্র"),
        (4_500_000, "Rupees forty-five thousand only", "পঁয়তাল্লিশ হাজার টাকা মাত্র"),
        (100, "Rupees one only", "এক টাকা মাত্র"),
        (5, "Rupees zero and five paise only", "শূন্য টাকা পাঁচ পয়সা মাত্র"),
        (
            123_456_789_00,
            "Rupees twelve crore thirty-four lakh fifty-six thousand"
            " seven hundred eighty-nine only",
            "বারো কোটি চৌত্রিশ লক্ষ ছাপ্পান্ন হাজার সাতশো ঊননব্বই টাকা মাত্র",
        ),
        (10**12, "Rupees one thousand crore only", "এক হাজার কোটি টাকা মাত্র"),
        (99_900, "Rupees nine hundred ninety-nine only", "নয়শো নিরানব্বই টাকা মাত্র"),
    ],
)
def test_amount_in_words(paise: int, english: str, bengali: str) -> None:
    assert amount_in_words(paise, lang="en") == english
    assert amount_in_words(paise, lang="bn") == bengali


def test_words_follow_the_active_language_and_refuse_negatives() -> None:
    with translation.override("bn"):
        assert Template("{% load money %}{{ p|amount_words }}").render(Context({"p": 250_000})) == (
            "দুই হাজার পাঁচশো টাকা মাত্র"
        )
    with translation.override("en"):
        assert amount_in_words(250_000) == "Rupees two thousand five hundred only"
    with pytest.raises(ValueError):
        amount_in_words(-1)


@given(st.integers(min_value=0, max_value=10**15), LANGS)
def test_words_have_no_digits_and_no_gaps(paise: int, lang: str) -> None:
    words = amount_in_words(paise, lang=lang)
    assert not any(ch.isdigit() for ch in words)
    assert "  " not in words and "{" not in words
    # A different amount never reads the same.
    assert words != amount_in_words(paise + 1, lang=lang)
