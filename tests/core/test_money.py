"""Money formatting: Indian grouping, Bengali digits, lakh and crore."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sahayata.core.money import (
    CRORE_PAISE,
    LAKH_PAISE,
    ascii_digits,
    bengali_digits,
    format_count,
    format_inr,
    format_inr_words,
    parse_inr,
    parse_inr_words,
)

PAISE = st.integers(min_value=-(10**15), max_value=10**15)
LANGS = st.sampled_from(["en", "bn"])


@pytest.mark.parametrize(
    ("paise", "english", "bengali"),
    [
        (123_456_789, "₹12,34,567.89", "₹১২,৩৪,৫৬৭.৮৯"),
        (0, "₹0.00", "₹০.০০"),
        (5, "₹0.05", "₹০.০৫"),
        (-123_456_789, "-₹12,34,567.89", "-₹১২,৩৪,৫৬৭.৮৯"),
        (99_999_99, "₹99,999.99", "₹৯৯,৯৯৯.৯৯"),
        (100_000_00, "₹1,00,000.00", "₹১,০০,০০০.০০"),
        (10**15, "₹1,00,00,00,00,00,000.00", "₹১,০০,০০,০০,০০,০০,০০০.০০"),
    ],
)
def test_format_inr_examples(paise: int, english: str, bengali: str) -> None:
    assert format_inr(paise, lang="en") == english
    assert format_inr(paise, lang="bn") == bengali


@pytest.mark.parametrize(
    ("paise", "english", "bengali"),
    [
        (1_000 * CRORE_PAISE, "₹1,000 crore", "₹১,০০০ কোটি"),
        (250_000_00, "₹2.5 lakh", "₹২.৫ লক্ষ"),
        (9_999_999_99, "₹99.99 lakh", "₹৯৯.৯৯ লক্ষ"),  # truncated, never "₹100 lakh"
        (1_000 * CRORE_PAISE - 1, "₹999.99 crore", "₹৯৯৯.৯৯ কোটি"),
        (10_000_000_00, "₹1 crore", "₹১ কোটি"),
        (492 * CRORE_PAISE, "₹492 crore", "₹৪৯২ কোটি"),
        (165_000, "₹1,650", "₹১,৬৫০"),
        (165_050, "₹1,650.50", "₹১,৬৫০.৫০"),
        (-250_000_00, "-₹2.5 lakh", "-₹২.৫ লক্ষ"),
    ],
)
def test_format_inr_words_examples(paise: int, english: str, bengali: str) -> None:
    assert format_inr_words(paise, lang="en") == english
    assert format_inr_words(paise, lang="bn") == bengali


def test_lang_none_follows_the_active_language() -> None:
    with translation.override("bn"):
        assert format_inr(100) == "₹১.০০"
        assert format_count(1234567) == "১২,৩৪,৫৬৭"
    with translation.override("en"):
        assert format_inr(100) == "₹1.00"
        assert format_inr_words(10**9) == "₹1 crore"


def test_non_integers_are_refused() -> None:
    with pytest.raises(TypeError):
        format_inr(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_inr(True)


def test_template_filters() -> None:
    template = Template("{% load money %}{{ a|inr }}|{{ b|inr_words }}|{{ c|count }}|{{ d|inr }}")
    context = Context({"a": 123_456_789, "b": 10**12, "c": 18_900_000, "d": None})
    assert Template("{% load money %}[{{ x|inr }}]").render(Context({"x": "abc"})) == "[]"
    assert Template("{% load money %}[{{ x|inr }}]").render(Context({"x": 1.5})) == "[]"
    with translation.override("bn"):
        assert template.render(context) == "₹১২,৩৪,৫৬৭.৮৯|₹১,০০০ কোটি|১,৮৯,০০,০০০|"
    with translation.override("en"):
        assert template.render(context) == "₹12,34,567.89|₹1,000 crore|1,89,00,000|"


@given(PAISE, LANGS)
def test_format_inr_round_trips(paise: int, lang: str) -> None:
    assert parse_inr(format_inr(paise, lang=lang)) == paise


@given(PAISE)
def test_bengali_is_the_english_with_bengali_digits(paise: int) -> None:
    english = format_inr(paise, lang="en")
    bengali = format_inr(paise, lang="bn")
    assert bengali == bengali_digits(english)
    assert ascii_digits(bengali) == english
    assert not any(ch.isascii() and ch.isdigit() for ch in bengali)


@given(PAISE)
def test_indian_grouping(paise: int) -> None:
    whole = format_inr(paise, lang="en").lstrip("-₹").split(".")[0]
    groups = whole.split(",")
    assert 1 <= len(groups[0]) <= (3 if len(groups) == 1 else 2)
    assert all(len(g) == 2 for g in groups[1:-1])
    if len(groups) > 1:
        assert len(groups[-1]) == 3
    assert int(whole.replace(",", "")) == abs(paise) // 100


@given(PAISE, LANGS)
def test_words_never_overstate_and_lose_less_than_a_hundredth_of_the_unit(
    paise: int, lang: str
) -> None:
    text = format_inr_words(paise, lang=lang)
    parsed = parse_inr_words(text)
    magnitude = abs(paise)
    assert abs(parsed) <= magnitude
    if magnitude >= CRORE_PAISE:
        assert magnitude - abs(parsed) < CRORE_PAISE // 100
        assert text.endswith("crore" if lang == "en" else "কোটি")
    elif magnitude >= LAKH_PAISE:
        assert magnitude - abs(parsed) < LAKH_PAISE // 100
        assert text.endswith("lakh" if lang == "en" else "লক্ষ")
    else:
        assert parsed == paise


@given(st.integers(min_value=1, max_value=10**7))
def test_boundaries_at_lakh_and_crore(rupees_below: int) -> None:
    # Just below a boundary the unit is the smaller one; at the boundary it is the larger.
    assert format_inr_words(LAKH_PAISE - 1, lang="en") == "₹99,999.99"
    assert format_inr_words(LAKH_PAISE, lang="en") == "₹1 lakh"
    assert format_inr_words(CRORE_PAISE - 100, lang="en") == "₹99.99 lakh"
    assert format_inr_words(CRORE_PAISE, lang="en") == "₹1 crore"
    assert format_inr(LAKH_PAISE - 1, lang="en") == "₹99,999.99"
    assert format_inr(LAKH_PAISE, lang="en") == "₹1,00,000.00"
    below = min(rupees_below * 100, CRORE_PAISE - 1)
    assert "crore" not in format_inr_words(CRORE_PAISE - below, lang="en")
    assert "crore" in format_inr_words(CRORE_PAISE + below - 1, lang="en")


@given(st.text())
def test_digit_conversion_round_trips(text: str) -> None:
    assert ascii_digits(bengali_digits(text)) == ascii_digits(text)
    assert bengali_digits(ascii_digits(text)) == bengali_digits(text)


@given(st.integers(min_value=0, max_value=10**18), LANGS)
def test_format_count_round_trips(n: int, lang: str) -> None:
    text = format_count(n, lang)
    assert int(ascii_digits(text).replace(",", "")) == n
    assert text == (bengali_digits(format_count(n, "en")) if lang == "bn" else text)


@pytest.mark.parametrize("text", ["", "₹", "12,34,567.891", "₹1,000 lakh crore", "abc"])
def test_parse_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_inr_words(text)


def test_digits_filter_follows_the_language() -> None:
    template = Template('{% load money %}{{ day|date:"d-m-Y"|digits }}|{{ none|digits }}')
    context = Context({"day": dt.date(2026, 11, 28), "none": None})
    with translation.override("bn"):
        assert template.render(context) == "২৮-১১-২০২৬|"
    with translation.override("en"):
        assert template.render(context) == "28-11-2026|"
