"""Chart labels are never cut inside a grapheme cluster (a Bengali conjunct, a vowel sign):
they wrap between words and, when too long, end with an ellipsis on a cluster boundary."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sahayata.transparency.charts import (
    bar_chart,
    column_chart,
    graphemes,
    text_width,
    wrap_label,
)

CONSONANTS = [*"কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহ", "ড\u09bc", "য\u09bc"]
SIGNS = ["", "া", "ি", "ী", "ু", "ূ", "ৃ", "ে", "ৈ", "ো", "ৌ", "ং", "ঁ"]
syllables = st.builds(
    lambda first, linked, sign: first + ("্" + linked if linked else "") + sign,
    st.sampled_from(CONSONANTS),
    st.sampled_from(["", *CONSONANTS[:10]]),
    st.sampled_from(SIGNS),
)
words = st.lists(syllables, min_size=1, max_size=8).map("".join)
labels = st.lists(words, min_size=1, max_size=8).map(" ".join)


def test_graphemes_keep_conjuncts_and_vowel_signs_whole() -> None:
    assert graphemes("দপ্তর") == ["দ", "প্ত", "র"]
    assert graphemes("বিষয়ক") == ["বি", "ষ", "য়", "ক"]
    assert graphemes("ক্ষেত্র") == ["ক্ষে", "ত্র"]
    assert graphemes("স্বাস্থ্য") == ["স্বা", "স্থ্য"]
    assert graphemes("Land 12") == ["L", "a", "n", "d", " ", "1", "2"]


def test_the_reported_label_is_not_cut_mid_conjunct() -> None:
    label = "সংখ্যালঘু বিষয়ক ও মাদ্রাসা শিক্ষা দপ্তর"
    # Wide enough for all of it on two lines: whole, broken between words.
    full = text_width(label, 13)
    assert wrap_label(label, width=full, size=13) == [label]
    lines = wrap_label(label, width=full * 0.6, size=13)
    assert " ".join(lines) == label and len(lines) == 2
    # Too narrow: one line, ellipsized on a cluster boundary.
    (short,) = wrap_label(label, width=full * 0.4, size=13, max_lines=1)
    assert short.endswith("…")
    kept = short.removesuffix("…")
    assert label.startswith(kept)
    assert graphemes(label)[: len(graphemes(kept))] == graphemes(kept)
    assert not kept.endswith("্")


def test_a_word_wider_than_the_line_breaks_between_clusters() -> None:
    lines = wrap_label("পশ্চিমবঙ্গস্বাস্থ্যসাথীপ্রকল্প", width=60, size=13, max_lines=5)
    assert "".join(lines) == "পশ্চিমবঙ্গস্বাস্থ্যসাথীপ্রকল্প"
    for line in lines:
        assert not line.endswith("্") and text_width(line, 13) <= 60


def _contiguous(part: list[str], whole: list[str]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


@given(labels, st.integers(30, 300))
def test_wrapped_lines_are_runs_of_whole_clusters(label: str, width: int) -> None:
    normalized = " ".join(label.split())
    clusters = graphemes(normalized)
    lines = wrap_label(label, width=width, size=13)
    assert len(lines) <= 2
    for line in lines:
        body = line.removesuffix("…")
        # A line cut inside a cluster would end with a piece that is no cluster of the label.
        assert _contiguous(graphemes(body), clusters), (line, normalized)
    if not lines[-1].endswith("…"):
        assert "".join(lines).replace(" ", "") == normalized.replace(" ", "")


def test_column_chart_draws_the_gap_and_bar_chart_escapes() -> None:
    slots = [("মার্চ ২০২৫", 10, "₹১০"), ("এপ্রি. ২০২৫", None, "নেই"), ("মে ২০২৫", 5, "₹৫")]
    svg = str(column_chart(slots, title="মাসিক", gap_label="কোনো তথ্য নেই"))
    assert svg.count('class="gap"') == 1 and svg.count("<rect") == 3
    assert "<b>" not in str(bar_chart([("<b>x</b>", 1, "১")], title="t"))


def test_time_slots_show_every_period_between_the_first_and_the_last() -> None:
    import datetime as dt

    from django.utils import translation

    from sahayata.transparency.tables import Table
    from sahayata.transparency.views import MAX_SLOTS, _time_slots

    months = Table(
        "monthly",
        "m",
        [],
        [{"month": dt.date(2025, 3, 1), "paise": 100}, {"month": dt.date(2026, 12, 1), "paise": 5}],
    )
    slots = _time_slots(months, "month", "month", "en")
    assert len(slots) == 22 and [s[1] for s in (slots[0], slots[-1])] == [100, 5]
    assert all(value is None for _, value, _ in slots[1:-1])
    # Daily over the same span is longer than MAX_SLOTS: each empty run becomes one slot.
    days = Table(
        "daily",
        "d",
        [],
        [
            {"date": dt.date(2025, 3, 14), "paise": 1},
            {"date": dt.date(2025, 3, 16), "paise": 2},
            {"date": dt.date(2026, 12, 1), "paise": 3},
        ],
    )
    with translation.override("en"):
        daily = _time_slots(days, "date", "day", "en")
    assert (dt.date(2026, 12, 1) - dt.date(2025, 3, 14)).days > MAX_SLOTS
    assert [value for _, value, _ in daily] == [1, None, 2, None, 3]
    assert daily[1][0] == "15 Mar" and " – " in daily[3][0]
