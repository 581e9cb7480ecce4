"""Inline SVG chart of a fund's quarterly net IRR, TVPI and DPI, drawn server-side.

Pure Python string building: no Flask, no JavaScript, no fonts or files to fetch, so
the chart works offline and prints. Every text placed in the markup is escaped. Two
panels share the quarter axis: multiples (TVPI, DPI, with a 1.0x reference line) on
top and net IRR in percent below. The annual IRR is plotted only once the track record
reaches a year (GIPS); callers show the cumulative figure for earlier quarters.
Coordinates are floats for drawing only; the numbers shown come from exact Decimals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from typing import Any

__all__ = ["ChartPoint", "ChartText", "chart_points", "history_svg", "month_end", "nice_ticks",
           "percent", "quarter_label"]

WIDTH, HEIGHT = 960, 452
LEFT, RIGHT = 64, 28
TOP_A, HEIGHT_A = 48, 190  # multiples panel
TOP_B, HEIGHT_B = 276, 140  # IRR panel
TVPI_COLOUR, DPI_COLOUR, IRR_COLOUR = "#1f5fa8", "#1e7b45", "#b3261e"
GRID, AXIS, MUTED = "#e6eaef", "#9aa5b1", "#6b7785"
MIN_LABEL_GAP = 72  # px between x-axis labels


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One quarter: annual net IRR (fraction; None = n/a or under a year) and multiples."""

    on: date
    irr: float | None
    tvpi: Decimal | None
    dpi: Decimal | None


@dataclass(frozen=True, slots=True)
class ChartText:
    """The translated texts of the chart (escaped when placed)."""

    title: str
    multiples_axis: str
    irr_axis: str
    tvpi: str
    dpi: str
    irr: str
    empty: str
    irr_empty: str
    na: str


def month_end(year: int, month: int) -> date:
    """Last day of ``month`` in ``year``."""
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def is_quarter_end(on: date) -> bool:
    return on.month % 3 == 0 and on == month_end(on.year, on.month)


def quarter_label(on: date) -> str:
    """``2021Q3`` for a calendar quarter end, the ISO date for any other day."""
    return f"{on.year}Q{(on.month - 1) // 3 + 1}" if is_quarter_end(on) else on.isoformat()


def percent(value: float, places: int = 2) -> str:
    """A fraction as a percentage string: ``0.05881`` -> ``5.88%`` (no ``-0.00%``)."""
    text = f"{value * 100:,.{places}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")
    return f"{text}%"


def chart_points(history: Iterable[Any]) -> list[ChartPoint]:
    """Chart points from ``perspectives.QuarterPoint``s: the fund-net figures of each quarter.

    The IRR of a quarter with under a year of track record is left out (None).
    """
    return [ChartPoint(p.on, None if p.net.short_track_record else p.net.irr, p.net.tvpi,
                       p.net.dpi) for p in history]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("tick range must be finite")
    if hi < lo:
        lo, hi = hi, lo
    if hi - lo < 1e-12:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    n = round((end - start) / step)
    return [_clean(start + i * step) for i in range(n + 1)]


def _clean(x: float) -> float:
    return 0.0 if abs(x) < 1e-12 else round(x, 10)


def _places(ticks: Sequence[float]) -> int:
    """Decimals needed to print the tick step exactly (0 to 3)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    return next((p for p in range(3) if abs(round(step, p) - step) < 1e-9), 3)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


class _Scale:
    """Maps dates to x and values to y inside one panel."""

    def __init__(self, first: date, last: date, ticks: Sequence[float], top: int,
                 height: int) -> None:
        self.first, self.span = first, max((last - first).days, 0)
        self.lo, self.hi, self.top, self.height = ticks[0], ticks[-1], top, height

    def x(self, on: date) -> float:
        width = WIDTH - LEFT - RIGHT
        if self.span == 0:
            return LEFT + width / 2
        return LEFT + width * (on - self.first).days / self.span

    def y(self, value: float) -> float:
        frac = (value - self.lo) / (self.hi - self.lo)
        return self.top + self.height * (1 - frac)


def _panel(out: list[str], scale: _Scale, ticks: Sequence[float], title: str,
           fmt: Any, panel_id: str) -> None:
    """Frame, horizontal grid, y-axis tick labels and the panel title."""
    right = WIDTH - RIGHT
    out.append(f'<g class="panel" id="{panel_id}">')
    out.append(f'<text x="{LEFT}" y="{scale.top - 12}" fill="{MUTED}" font-weight="600">'
               f'{escape(title)}</text>')
    for t in ticks:
        y = _fmt(scale.y(t))
        out.append(f'<line x1="{LEFT}" x2="{right}" y1="{y}" y2="{y}" stroke="{GRID}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y}" dy="0.32em" text-anchor="end" '
                   f'fill="{MUTED}" class="ytick">{escape(fmt(t))}</text>')
    out.append(f'<rect x="{LEFT}" y="{scale.top}" width="{right - LEFT}" height="{scale.height}" '
               f'fill="none" stroke="{AXIS}" stroke-width="1"/>')
    out.append("</g>")


def _series(out: list[str], scale: _Scale, points: Sequence[ChartPoint],
            values: Sequence[float | None], shown: Sequence[str], name: str, css: str,
            colour: str) -> None:
    """A line broken at missing values, with one marked point (and tooltip) per value."""
    path: list[str] = []
    pen_up = True
    for p, v in zip(points, values, strict=True):
        if v is None:
            pen_up = True
            continue
        path.append(f'{"M" if pen_up else "L"}{_fmt(scale.x(p.on))},{_fmt(scale.y(v))}')
        pen_up = False
    out.append(f'<g class="series series-{css}">')
    if path:
        out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2" '
                   f'stroke-linejoin="round" stroke-linecap="round"/>')
    for p, v, text in zip(points, values, shown, strict=True):
        if v is None:
            continue
        out.append(
            f'<circle class="pt pt-{css}" data-on="{p.on.isoformat()}" cx="{_fmt(scale.x(p.on))}" '
            f'cy="{_fmt(scale.y(v))}" r="3" fill="#fff" stroke="{colour}" stroke-width="1.6">'
            f"<title>{escape(quarter_label(p.on))} · {escape(name)} {escape(text)}</title></circle>"
        )
    out.append("</g>")


def _text_width(text: str) -> float:
    """Rough width in px of ``text`` at the chart's 11px font (CJK twice as wide)."""
    return sum(11.0 if ord(c) > 0x2E80 else 6.4 for c in text)


def _x_labels(points: Sequence[ChartPoint], scale: _Scale) -> dict[date, float]:
    """The x-axis labels: every k-th quarter end plus the last point, never overlapping.

    Returns the label centre per labelled date, clamped so labels stay inside the plot.
    """
    width = WIDTH - LEFT - RIGHT
    k = 1
    while k < 16 and len(points) / k * MIN_LABEL_GAP > width:
        k *= 2
    wanted = [p for p in points if is_quarter_end(p.on)
              and (p.on.year * 4 + (p.on.month - 1) // 3 + 1) % k == 0]
    if points[-1] not in wanted:
        wanted.append(points[-1])
    placed: dict[date, float] = {}
    left_edge = float("inf")
    for p in reversed(wanted):  # the last point always keeps its label
        half = _text_width(quarter_label(p.on)) / 2
        centre = min(max(scale.x(p.on), LEFT + half), WIDTH - RIGHT - half)
        if centre + half + 8 <= left_edge:
            placed[p.on] = centre
            left_edge = centre - half
    return placed


def _legend(out: list[str], text: ChartText) -> None:
    items = [(text.tvpi, TVPI_COLOUR), (text.dpi, DPI_COLOUR), (text.irr, IRR_COLOUR)]
    x = WIDTH - RIGHT
    out.append('<g class="legend">')
    for label, colour in reversed(items):
        width = 34 + 7 * sum(2 if ord(c) > 0x2E80 else 1 for c in label)
        x -= width
        out.append(f'<line x1="{x}" x2="{x + 18}" y1="16" y2="16" stroke="{colour}" '
                   f'stroke-width="2"/><circle cx="{x + 9}" cy="16" r="3" fill="#fff" '
                   f'stroke="{colour}" stroke-width="1.6"/>')
        out.append(f'<text x="{x + 24}" y="16" dy="0.32em" fill="#1d2733">{escape(label)}</text>')
    out.append("</g>")


def history_svg(points: Sequence[ChartPoint], text: ChartText) -> str:
    """The ``<svg>`` markup of the two-panel quarterly chart (one marker per quarter value)."""
    root = (f'<svg xmlns="http://www.w3.org/2000/svg" id="history-chart" class="history-chart" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
            f'aria-labelledby="history-chart-title" font-size="11" '
            f'font-family="system-ui, sans-serif" data-points="{len(points)}">')
    out = [root, f'<title id="history-chart-title">{escape(text.title)}</title>']
    _legend(out, text)
    out.append(f'<text x="{LEFT}" y="16" dy="0.32em" fill="#1d2733" font-weight="600" '
               f'font-size="13">{escape(text.title)}</text>')
    if not points:
        out.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                   f'fill="{MUTED}">{escape(text.empty)}</text></svg>')
        return "".join(out)
    first, last = points[0].on, points[-1].on
    tvpi = [None if p.tvpi is None else float(p.tvpi) for p in points]
    dpi = [None if p.dpi is None else float(p.dpi) for p in points]
    irr = [None if p.irr is None else p.irr * 100 for p in points]
    multiples = [v for v in (*tvpi, *dpi) if v is not None]
    ticks_a = nice_ticks(min([0.0, *multiples]), max([1.0, *multiples]), 5)
    rates = [v for v in irr if v is not None]
    ticks_b = nice_ticks(min([0.0, *rates]), max([0.0, *rates]) if rates else 10.0, 4)
    a = _Scale(first, last, ticks_a, TOP_A, HEIGHT_A)
    b = _Scale(first, last, ticks_b, TOP_B, HEIGHT_B)
    pa, pb = _places(ticks_a), _places(ticks_b)
    _panel(out, a, ticks_a, text.multiples_axis, lambda t: f"{t:.{pa}f}x", "panel-multiples")
    _panel(out, b, ticks_b, text.irr_axis, lambda t: f"{t:.{pb}f}%", "panel-irr")
    labelled = _x_labels(points, a)
    for p in points:  # a tick per quarter; a label and a grid line for the labelled ones
        x = _fmt(a.x(p.on))
        centre = labelled.get(p.on)
        out.append(f'<line class="xtick" x1="{x}" x2="{x}" y1="{TOP_B + HEIGHT_B}" '
                   f'y2="{TOP_B + HEIGHT_B + (3 if centre is None else 6)}" stroke="{AXIS}"/>')
        if centre is None:
            continue
        for top, height in ((TOP_A, HEIGHT_A), (TOP_B, HEIGHT_B)):
            out.append(f'<line x1="{x}" x2="{x}" y1="{top}" y2="{top + height}" '
                       f'stroke="{GRID}" stroke-dasharray="2 3"/>')
        out.append(f'<text class="xlabel" x="{_fmt(centre)}" y="{TOP_B + HEIGHT_B + 20}" '
                   f'text-anchor="middle" fill="{MUTED}">{escape(quarter_label(p.on))}</text>')
    one = _fmt(a.y(1.0))
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{one}" y2="{one}" stroke="{AXIS}" '
               f'stroke-dasharray="5 4"/>')
    if b.lo < 0 < b.hi:
        zero = _fmt(b.y(0.0))
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero}" y2="{zero}" '
                   f'stroke="{AXIS}"/>')
    _series(out, a, points, tvpi, [_multiple(p.tvpi, text) for p in points], text.tvpi, "tvpi",
            TVPI_COLOUR)
    _series(out, a, points, dpi, [_multiple(p.dpi, text) for p in points], text.dpi, "dpi",
            DPI_COLOUR)
    _series(out, b, points, irr, [text.na if p.irr is None else percent(p.irr) for p in points],
            text.irr, "irr", IRR_COLOUR)
    for panel, values, note in ((a, multiples, text.empty), (b, rates, text.irr_empty)):
        if not values:
            out.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{panel.top + panel.height / 2}" '
                       f'text-anchor="middle" fill="{MUTED}">{escape(note)}</text>')
    out.append("</svg>")
    return "".join(out)


def _multiple(value: Decimal | None, text: ChartText) -> str:
    return text.na if value is None else f"{value:.2f}x"
