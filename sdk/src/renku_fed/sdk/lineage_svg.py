"""Draws a lineage graph as SVG with no library: columns by distance from the sources."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from renku_fed.sdk.models import Lineage

WIDTH, HEIGHT, GAP_X, GAP_Y = 180, 36, 60, 20


def _columns(lineage: Lineage) -> dict[str, int]:
    column = {node.id: 0 for node in lineage.nodes}
    for _ in lineage.nodes:
        changed = False
        for edge in lineage.edges:
            known = edge.source in column and edge.target in column
            if known and column[edge.target] < column[edge.source] + 1:
                column[edge.target] = column[edge.source] + 1
                changed = True
        if not changed:
            break
    return column


def render_svg(lineage: Lineage) -> str:
    """An SVG picture: files as rounded boxes, activities as boxes, arrows along the edges."""
    column = _columns(lineage)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for node in lineage.nodes:
        col = column[node.id]
        row = rows.get(col, 0)
        rows[col] = row + 1
        place[node.id] = (col * (WIDTH + GAP_X) + 10, row * (HEIGHT + GAP_Y) + 10)
    width = (max(column.values(), default=0) + 1) * (WIDTH + GAP_X)
    height = max(rows.values(), default=1) * (HEIGHT + GAP_Y) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">',
        '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z"/></marker></defs>',
    ]
    for edge in lineage.edges:
        if edge.source in place and edge.target in place:
            (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
            parts.append(
                f'<line x1="{x1 + WIDTH}" y1="{y1 + HEIGHT // 2}" x2="{x2}" '
                f'y2="{y2 + HEIGHT // 2}" stroke="#555" marker-end="url(#a)"/>'
            )
    for node in lineage.nodes:
        x, y = place[node.id]
        radius = 0 if node.type == "ACTIVITY" else 12
        fill = "#fde68a" if node.type == "ACTIVITY" else "#bfdbfe"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{HEIGHT}" rx="{radius}" '
            f'fill="{fill}" stroke="#333"/><text x="{x + 8}" y="{y + 23}" '
            f'font-family="sans-serif" font-size="12">{escape(node.label[:28])}</text>'
        )
    return "\n".join([*parts, "</svg>"])
