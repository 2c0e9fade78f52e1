"""Charts drawn on the server as small inline SVG: no JavaScript, no outside library.

Each function takes rows of (label, value, shown value) and returns safe SVG markup. The
labels arrive already formatted in the visitor's language (Bengali digits and all).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Row = tuple[str, int, str]

BAR = "#0b5d3b"
ACCENT = "#b3541e"
INK = "#1b1f24"
MUTED = "#5b6470"


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bar_chart(rows: Sequence[Row], *, title: str, label_width: int = 190) -> SafeString:
    """Horizontal bars, one row per item, the value written after each bar."""
    width, row_h, top = 720, 22, 6
    plot = width - label_width - 110
    height = top * 2 + row_h * max(len(rows), 1)
    peak = max((value for _, value, _ in rows), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
        f'{height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value, shown) in enumerate(rows):
        y = top + i * row_h
        bar = max(plot * value / peak, 1 if value else 0)
        parts.append(
            f"<g><title>{escape(label)}: {escape(shown)}</title>"
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(label[:32])}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{_fmt(bar)}" height="{row_h - 8}" '
            f'fill="{BAR}"/><text x="{_fmt(label_width + bar + 5)}" y="{y + 15}" '
            f'font-size="12" fill="{MUTED}">{escape(shown)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped)


def column_chart(rows: Sequence[Row], *, title: str, label_every: int | None = None) -> SafeString:
    """Vertical columns over time, with every n-th label under the axis and the peak marked."""
    width, height, left, bottom, top = 720, 220, 8, 34, 22
    plot_w, plot_h = width - 2 * left, height - top - bottom
    count = max(len(rows), 1)
    step = plot_w / count
    peak_row = max(rows, key=lambda row: row[1], default=("", 0, ""))
    peak = peak_row[1] or 1
    every = label_every or max(1, round(count / 8))
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
        f'{height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    if peak_row[1]:
        parts.append(
            f'<text x="{width - left}" y="14" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">▲ {escape(peak_row[0])}: {escape(peak_row[2])}</text>'
        )
    for i, (label, value, shown) in enumerate(rows):
        h = plot_h * value / peak
        x = left + i * step
        fill = ACCENT if value == peak_row[1] and value else BAR
        parts.append(
            f'<rect x="{_fmt(x + step * 0.1)}" y="{_fmt(top + plot_h - h)}" '
            f'width="{_fmt(max(step * 0.8, 1))}" height="{_fmt(h)}" fill="{fill}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{_fmt(x + step / 2)}" y="{height - 14}" text-anchor="middle" '
                f'font-size="11" fill="{INK}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text is escaped)
