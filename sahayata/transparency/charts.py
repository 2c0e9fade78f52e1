"""Charts drawn on the server as small inline SVG: no JavaScript, no outside library.

Each function takes rows of (label, value, shown value) and returns safe SVG markup. The
labels arrive already formatted in the visitor's language (Bengali digits and all).

Phone first: the drawings are 400 units wide, so that at 360 px their text is still about
11 px; bar labels sit on their own line above the bar and wrap on word boundaries, and
a label too long for two lines ends with an ellipsis on a grapheme-cluster boundary,
never inside a conjunct (বিষয়ক দপ্‌…, not বিষয়ক দপ্).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Row = tuple[str, int, str]
# A time-series slot: ``value`` None means no data for that period (drawn as a gap).
Slot = tuple[str, int | None, str]

BAR = "#0b5d3b"
ACCENT = "#b3541e"
INK = "#1b1f24"
MUTED = "#5b6470"
GAP = "#eef1f4"

WIDTH = 400  # time series
BAR_WIDTH = 330  # bar charts: at 360 px their text is drawn at about its own size
LABEL_SIZE = 13
VALUE_SIZE = 12
AXIS_SIZE = 15
ELLIPSIS = "…"
ZWJ, ZWNJ = "\u200d", "\u200c"


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _is_virama(ch: str) -> bool:
    return unicodedata.combining(ch) == 9  # the canonical combining class of every virama


def _extends(cluster: str, ch: str) -> bool:
    """Whether ``ch`` continues ``cluster`` (Unicode's extended grapheme cluster rules for
    the scripts we show: marks, joiners, and a virama joining two consonants)."""
    if ch in (ZWJ, ZWNJ) or unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    tail = cluster.rstrip(ZWJ)
    return bool(tail) and _is_virama(tail[-1]) and unicodedata.category(ch) == "Lo"


def graphemes(text: str) -> list[str]:
    """``text`` split into user-perceived characters (a conjunct such as ত্ত is one)."""
    clusters: list[str] = []
    for ch in text:
        if clusters and _extends(clusters[-1], ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _em(cluster: str) -> float:
    """A cluster's rough advance in em (no font metrics on the server; erring wide)."""
    first = cluster[0]
    if first.isspace():
        return 0.3
    if "\u0980" <= first <= "\u09ff":  # Bengali
        return 0.72 + 0.1 * (len(cluster) > 2)
    if first.isupper() or first in "MW₹%":
        return 0.68
    return 0.56


def text_width(text: str, size: float) -> float:
    return sum(_em(cluster) for cluster in graphemes(text)) * size


def _ellipsize(text: str, width: float, size: float) -> str:
    clusters = graphemes(text.rstrip())
    room = width - text_width(ELLIPSIS, size)
    while clusters and sum(_em(c) for c in clusters) * size > room:
        clusters.pop()
    return "".join(clusters).rstrip() + ELLIPSIS


def _split_word(word: str, width: float, size: float) -> tuple[str, str]:
    """The longest run of whole clusters of ``word`` within ``width`` (at least one), and
    the rest."""
    clusters, head = graphemes(word), ""
    while clusters and text_width(head + clusters[0], size) <= width:
        head += clusters.pop(0)
    if not head:  # a single cluster wider than the line: kept whole
        head = clusters.pop(0)
    return head, "".join(clusters)


def wrap_label(text: str, *, width: float, size: float, max_lines: int = 2) -> list[str]:
    """``text`` in at most ``max_lines`` lines of at most ``width``: broken between words,
    a word too long for a line broken between grapheme clusters, and the last line
    ellipsized (on a cluster boundary) when the rest does not fit."""
    lines: list[str] = []
    current, pending = "", text.split()
    while pending:
        if len(lines) == max_lines - 1:  # the last line: all the rest, or its start + …
            rest = " ".join([current, *pending] if current else pending)
            fits = text_width(rest, size) <= width
            return [*lines, rest if fits else _ellipsize(rest, width, size)]
        candidate = f"{current} {pending[0]}" if current else pending[0]
        if text_width(candidate, size) <= width:
            current = candidate
            pending.pop(0)
        elif current:
            lines.append(current)
            current = ""
        else:
            head, tail = _split_word(pending[0], width, size)
            lines.append(head)
            if tail:
                pending[0] = tail
            else:
                pending.pop(0)
    return [*lines, current] if current else lines


def _svg_open(title: str, height: float, width: int = WIDTH, kind: str = "series") -> str:
    return (
        f'<svg class="chart {kind}" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
        f'{_fmt(height)}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def bar_chart(rows: Sequence[Row], *, title: str) -> SafeString:
    """Horizontal bars, each under its label (wrapped), the value written after the bar."""
    line_h, bar_h, gap = LABEL_SIZE + 3, 12, 10
    value_room = max((text_width(shown, VALUE_SIZE) for _, _, shown in rows), default=0) * 1.15
    plot = max(BAR_WIDTH - value_room - 8, BAR_WIDTH * 0.4)
    peak = max((value for _, value, _ in rows), default=0) or 1
    parts: list[str] = []
    y = 4.0
    for label, value, shown in rows:
        lines = wrap_label(label, width=BAR_WIDTH, size=LABEL_SIZE)
        group = [f"<g><title>{escape(label)}: {escape(shown)}</title>"]
        for line in lines:
            y += line_h
            group.append(
                f'<text x="0" y="{_fmt(y - 4)}" font-size="{LABEL_SIZE}" '
                f'fill="{INK}">{escape(line)}</text>'
            )
        bar = max(plot * value / peak, 1 if value else 0)
        group.append(
            f'<rect x="0" y="{_fmt(y)}" width="{_fmt(bar)}" height="{bar_h}" fill="{BAR}"/>'
            f'<text x="{_fmt(bar + 5)}" y="{_fmt(y + bar_h - 1)}" font-size="{VALUE_SIZE}" '
            f'fill="{MUTED}">{escape(shown)}</text></g>'
        )
        parts.append("".join(group))
        y += bar_h + gap
    svg = _svg_open(title, max(y, 20), BAR_WIDTH, "bars") + "".join(parts) + "</svg>"
    return mark_safe(svg)  # noqa: S308 (every interpolated text is escaped)


def _gap_runs(rows: Sequence[Slot]) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, (_, value, _) in enumerate([*rows, ("", 0, "")]):
        if value is None and start is None:
            start = i
        elif value is not None and start is not None:
            runs.append((start, i))
            start = None
    return runs


def column_chart(
    rows: Sequence[Slot], *, title: str, label_every: int | None = None, gap_label: str = ""
) -> SafeString:
    """Vertical columns over time, with some labels under the axis and the peak marked.
    A slot whose value is ``None`` had no data: runs of them are shaded and, when wide
    enough, say ``gap_label``, so that a jump in time is never hidden."""
    height, left, bottom, top = 210, 2, 36, 24
    plot_w, plot_h = WIDTH - 2 * left, height - top - bottom
    count = max(len(rows), 1)
    step = plot_w / count
    values = [row for row in rows if row[1] is not None]
    peak_row = max(values, key=lambda row: row[1] or 0, default=("", 0, ""))
    peak = peak_row[1] or 1
    label_w = max((text_width(label, AXIS_SIZE) for label, _, _ in rows), default=0) + 12
    every = label_every or max(1, -(-count * label_w // plot_w))
    parts = [
        _svg_open(title, height),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - left}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>',
    ]
    if peak_row[1]:
        marker = f"▲ {peak_row[0]}: {peak_row[2]}"
        parts.append(
            f'<text x="{WIDTH - left}" y="15" text-anchor="end" font-size="{AXIS_SIZE}" '
            f'fill="{MUTED}">{escape(marker)}</text>'
        )
    for start, end in _gap_runs(rows):
        x, w = left + start * step, (end - start) * step
        parts.append(
            f'<g class="gap"><title>{escape(gap_label)}: {escape(rows[start][0])} – '
            f'{escape(rows[end - 1][0])}</title><rect x="{_fmt(x)}" y="{top}" '
            f'width="{_fmt(w)}" height="{plot_h}" fill="{GAP}" stroke="{MUTED}" '
            f'stroke-dasharray="3 3" stroke-width="0.6"/>'
        )
        if gap_label and text_width(gap_label, AXIS_SIZE) + 6 <= w:
            parts.append(
                f'<text x="{_fmt(x + w / 2)}" y="{_fmt(top + plot_h / 2)}" '
                f'text-anchor="middle" font-size="{AXIS_SIZE}" fill="{MUTED}">'
                f"{escape(gap_label)}</text>"
            )
        parts.append("</g>")
    for i, (label, value, shown) in enumerate(rows):
        x = left + i * step
        if value is not None:
            h = plot_h * value / peak
            fill = ACCENT if value == peak_row[1] and value else BAR
            parts.append(
                f'<rect x="{_fmt(x + step * 0.1)}" y="{_fmt(top + plot_h - h)}" '
                f'width="{_fmt(max(step * 0.8, 1))}" height="{_fmt(h)}" fill="{fill}">'
                f"<title>{escape(label)}: {escape(shown)}</title></rect>"
            )
        if i % every == 0:
            anchor, at = "middle", x + step / 2
            if at - label_w / 2 < 0:
                anchor, at = "start", left
            elif at + label_w / 2 > WIDTH:
                anchor, at = "end", WIDTH - left
            parts.append(
                f'<text x="{_fmt(at)}" y="{height - 16}" text-anchor="{anchor}" '
                f'font-size="{AXIS_SIZE}" fill="{INK}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped)
