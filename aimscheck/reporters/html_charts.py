"""Inline SVG charts for the HTML report: readiness bars per group and the overall ring."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

from aimscheck.reporters.readiness import GroupReadiness

WIDTH = 1000  # viewBox units; the chart scales to its column, text stays about 13px high
BAR_X = 350
BAR_W = 420
VALUE_X = BAR_X + BAR_W + 14
ROW_H = 30
BAR_H = 16
PASSING = "#079455"
FAILING = "#fda29b"
TRACK = "#eaecf0"
NONE_LINE = "#98a2b3"


def _clip(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row(group: GroupReadiness, label: str, top: float) -> str:
    mid = top + ROW_H / 2
    y = mid - BAR_H / 2
    head = (
        f'<g class="bar" data-key="{escape(group.key)}" '
        f'data-percent="{"" if group.percent is None else group.percent}">'
        f"<title>{escape(label)}: {escape(_value(group))}</title>"
        f'<text x="0" y="{mid + 4.5:.1f}">{escape(_clip(label))}</text>'
    )
    if group.percent is None:
        return (
            f'{head}<rect x="{BAR_X}" y="{y:.1f}" width="{BAR_W}" height="{BAR_H}" rx="4" '
            f'fill="#fff" stroke="{NONE_LINE}" stroke-dasharray="4 3"/>'
            f'<text class="none" x="{VALUE_X}" y="{mid + 4.5:.1f}">{escape(_value(group))}</text>'
            "</g>"
        )
    passing = BAR_W * group.passing / group.assessed
    return (
        f'{head}<rect x="{BAR_X}" y="{y:.1f}" width="{BAR_W}" height="{BAR_H}" rx="4" '
        f'fill="{FAILING if group.passing < group.assessed else PASSING}"/>'
        + (
            f'<rect class="passing" x="{BAR_X}" y="{y:.1f}" width="{passing:.1f}" '
            f'height="{BAR_H}" rx="4" fill="{PASSING}"/>'
            if group.passing
            else ""
        )
        + f'<text class="value" x="{VALUE_X}" y="{mid + 4.5:.1f}">{escape(_value(group))}</text>'
        "</g>"
    )


def _value(group: GroupReadiness) -> str:
    na = f", {group.not_applicable} n/a" if group.not_applicable else ""
    if group.percent is None:
        return f"not assessed{na}" if group.not_applicable else "no rule"
    return f"{group.percent}%  ({group.passing} of {group.assessed}{na})"


def bar_chart(
    ident: str,
    title: str,
    groups: Sequence[GroupReadiness],
    label: Callable[[GroupReadiness], str],
) -> str:
    """Horizontal bars, one per group: the green share is the rules passing."""
    height = len(groups) * ROW_H + 34
    grid = []
    for share in (0, 25, 50, 75, 100):
        x = BAR_X + BAR_W * share / 100
        grid.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height - 24}" stroke="{TRACK}"/>'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" '
            f'font-size="11">{share}%</text>'
        )
    rows = [_row(g, label(g), i * ROW_H) for i, g in enumerate(groups)]
    assessed = [g for g in groups if g.percent is not None]
    summary = "; ".join(f"{label(g)} {g.percent}%" for g in assessed) or "no rule assessed"
    return (
        f'<svg class="bars" id="{ident}" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(summary)}</desc>' + "".join(grid) + "".join(rows) + "</svg>"
    )


def ring(group: GroupReadiness, size: int = 150) -> str:
    """The overall share of rules passing as a ring, for the coloured verdict banner."""
    radius, stroke = 60, 15
    circumference = 2 * math.pi * radius
    share = group.share or 0.0
    centre = size / 2
    label = "no rule assessed" if group.percent is None else f"{group.percent}%"
    return (
        f'<svg class="donut" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{escape(label)} of rules passing" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" '
        f'stroke="rgba(255,255,255,0.28)" stroke-width="{stroke}"/>'
        f'<circle cx="{centre}" cy="{centre}" r="{radius}" fill="none" stroke="#fff" '
        f'stroke-width="{stroke}" stroke-linecap="round" '
        f'stroke-dasharray="{circumference * share:.1f} {circumference:.1f}" '
        f'transform="rotate(-90 {centre} {centre})"/>'
        f'<text x="{centre}" y="{centre + 4}" text-anchor="middle" font-size="30" '
        f'font-weight="700">{escape(label if group.percent is not None else "–")}</text>'
        f'<text x="{centre}" y="{centre + 24}" text-anchor="middle" font-size="12">'
        "rules passing</text></svg>"
    )
