"""Table statistics to a Plotly figure of the distributions, as plain data for ``vkt.PlotlyResult``.

One histogram per numeric column, drawn from the stored statistics (so the view never reads the
upload), with the mean and the 5% and 95% quantiles marked. The column is chosen in a menu inside
the figure. For several tables, the histogram is that of all of them together, and below it each
table has a row of its own on the same axis: its 5% to 95% as a bar, its minimum to maximum as a
line, its median and its mean as marks, so that the tables compare at a glance. Why a menu: it
reads the same for a table of 2 columns and of 40, switches at once in the browser without another
job, and needs no field in the editor that only this view would use. Small multiples of 40
columns would each be too small to read.

Every column reads at first sight, whatever its numbers:

- A constant column, or one whose numbers differ in their tenth digit or later (which no axis can
  label), is drawn as one bar at its value, with an axis around it.
- The marks' labels stand in rows above the plot, one row per label from the smallest value up,
  so that they never overlap however close their values; marks that read the same (the 5% and
  95% quantiles of a constant column) share one label: "5% = mean = 95% = 28".
- Plotly draws no number beyond about 1e300 in magnitude, nor a tiny one below 1e-300, so such a
  column is drawn in units of a power of ten, which the axis title names; the labels and the
  hover texts keep the numbers themselves.

The figure is plain JSON data: no plotly package is needed on VIKTOR's workers, and ``json.dumps``
with ``allow_nan=False`` makes sure no NaN or Infinity, which a browser refuses, reaches the view.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tablestats.statistics import ColumnSummary, Histogram, Summary

BAR_COLOUR = "#4c78a8"
# How each marked statistic is drawn: (label, line dash, colour).
MARKS = {
    "p05": ("5%", "dot", "#e45756"),
    "mean": ("mean", "solid", "#222222"),
    "p95": ("95%", "dot", "#e45756"),
}
MERGED_COLOUR = "#222222"  # a label shared by marks of different colours
# The rows of the tables compared: the bar from 5% to 95%, the line from minimum to maximum.
RANGE_COLOUR = "#9ecae1"
LINE_COLOUR = "#7f7f7f"
MEDIAN_COLOUR = "#222222"
COMPARED = "Each table: 5% to 95% (bar), min. to max. (line), median (|), mean (◆)"
# Bins narrower than this share of their magnitude cannot be told apart on an axis (Plotly's tick
# labels run out of digits near 1e-11): such a column is drawn as one value.
ONE_VALUE = 1e-9
SIGNIFICANT_DIGITS = 4  # of a mark's label, more where the axis spans a narrow range
# Pixels: the height of a row of labels above the plot, of the title, and of the menu.
LABEL_ROW = 18
TITLE_HEIGHT = 30
MENU_HEIGHT = 34


def distribution_figure(summary: Summary, tables: Sequence[tuple[str, Summary]] = ()) -> str:
    """The figure as JSON text: a histogram per numeric column, one shown at a time; given the
    ``tables`` that ``summary`` is made of (their names and summaries), a row of each below it."""
    columns = [column for column in summary.columns if column.histogram is not None]
    if not columns:
        figure: dict[str, Any] = {
            "data": [],
            "layout": {"title": {"text": "No column holds numbers, so there is nothing to plot"}},
        }
        return json.dumps(figure, allow_nan=False)
    views = [_ColumnView.of(column, _in_each(column, summary, tables)) for column in columns]
    traces = [
        {**trace, "visible": index == 0}
        for index, view in enumerate(views)
        for trace in view.traces
    ]
    labels_height = 10 + LABEL_ROW * len(MARKS)
    menu = len(views) > 1
    layout: dict[str, Any] = {
        **_nested(views[0].layout),
        "yaxis": {"title": {"text": "Values in the bin"}, "rangemode": "tozero"},
        "bargap": 0.02,
        "showlegend": False,
        "margin": {"t": labels_height + TITLE_HEIGHT + (MENU_HEIGHT if menu else 0) + 10},
    }
    layout["title"].update(y=1, yref="paper", yanchor="bottom", pad={"b": labels_height})
    if tables:
        rows = min(0.5, 0.1 + 0.05 * len(tables))  # the share of the height the rows take
        layout["yaxis"]["domain"] = [rows + 0.12, 1]
        layout["yaxis2"] = {
            "domain": [0, rows],
            "anchor": "x2",
            "type": "category",
            "autorange": "reversed",  # the first table on top
            "automargin": True,
        }
        layout["xaxis2"].update(anchor="y2", matches="x")
    if menu:
        layout["updatemenus"] = [_menu(views, above=labels_height + TITLE_HEIGHT)]
    return json.dumps({"data": traces, "layout": layout}, allow_nan=False)


def _in_each(
    column: ColumnSummary, summary: Summary, tables: Sequence[tuple[str, Summary]]
) -> list[tuple[str, ColumnSummary | None]]:
    """The same column in each table (by name: the second column of a name with the second of
    that name in each table), or None where a table has none."""
    occurrence = sum(
        other.name == column.name for other in summary.columns[: summary.columns.index(column)]
    )
    found = []
    for name, table in tables:
        same = [other for other in table.columns if other.name == column.name]
        found.append((name, same[occurrence] if occurrence < len(same) else None))
    return found


@dataclass(frozen=True)
class _Axis:
    """Where a column's numbers go on the x axis: in units of 10**exponent, so that Plotly can
    draw them (see the module docstring)."""

    exponent: int
    largest: float  # the largest magnitude on the axis, in those units

    @classmethod
    def around(cls, low: float, high: float) -> _Axis:
        largest = max(abs(low), abs(high))
        if not largest or 1e-100 <= largest <= 1e100:
            return cls(0, largest)
        exponent = math.floor(math.log10(largest))
        return cls(exponent, _in_units(largest, exponent))

    def drawn(self, value: float) -> float:
        """``value`` where it is drawn; a magnitude too small to see next to the largest (and
        which Plotly might not draw) as 0."""
        value = _in_units(value, self.exponent)
        return 0.0 if abs(value) < self.largest * 1e-100 else value

    def title(self, name: str) -> str:
        return f"{name}, in units of 1e{self.exponent}" if self.exponent else name


@dataclass(frozen=True)
class _ColumnView:
    """What the figure shows for one column: its traces, and the layout that goes with them, as
    Plotly's attribute paths ("xaxis.range"), which the menu sets when the column is chosen."""

    name: str
    traces: list[dict[str, Any]]
    layout: dict[str, Any]

    @classmethod
    def of(
        cls, column: ColumnSummary, tables: list[tuple[str, ColumnSummary | None]]
    ) -> _ColumnView:
        assert column.histogram is not None
        edges = column.histogram.edges
        axis = _Axis.around(edges[0], edges[-1])
        low, high = axis.drawn(edges[0]), axis.drawn(edges[-1])
        if high - low <= ONE_VALUE * axis.largest:
            bars, x_range = _one_bar(column.histogram, low / 2 + high / 2)
            digits = SIGNIFICANT_DIGITS
        else:
            digits = SIGNIFICANT_DIGITS + max(
                0, math.floor(math.log10(axis.largest / (high - low)))
            )
            bars, x_range = _bins(column.histogram, axis, digits), [low, high]
        shapes, annotations = _marks(column, axis, digits)
        layout = {
            "title.text": f"Distribution of {column.name} ({column.numeric_count:,} numbers)",
            "xaxis.title.text": axis.title(column.name),
            "xaxis.range": x_range,
            "shapes": shapes,
            "annotations": annotations,
        }
        traces = [{**bars, "name": column.name}]
        if tables:  # the axis title goes below the rows, with what they show
            layout["xaxis.title.text"] = ""
            layout["xaxis2.title.text"] = (
                f"{axis.title(column.name)}<br><span style='font-size:11px'>{COMPARED}</span>"
            )
            traces += _compared(column.name, tables, axis, digits)
        return cls(column.name, traces, layout)


def _bins(histogram: Histogram, axis: _Axis, digits: int) -> dict[str, Any]:
    edges = histogram.edges
    drawn = [axis.drawn(edge) for edge in edges]
    pairs = list(zip(drawn, drawn[1:], strict=False))
    return _bars(
        x=[left / 2 + right / 2 for left, right in pairs],
        widths=[right - left for left, right in pairs],
        counts=histogram.counts,
        texts=[
            _between(left, right, digits) for left, right in zip(edges, edges[1:], strict=False)
        ],
    )


def _one_bar(histogram: Histogram, centre: float) -> tuple[dict[str, Any], list[float]]:
    """One bar at ``centre`` for all the numbers, a tenth as wide as the axis around it, which
    reaches about a fifth of the value to each side (28 on an axis from 23 to 33)."""
    step = _round_down(abs(centre) / 10) if centre else 1.0
    edges = histogram.edges
    text = _between(edges[0], edges[-1], SIGNIFICANT_DIGITS)
    bars = _bars(x=[centre], widths=[step / 2], counts=[sum(histogram.counts)], texts=[text])
    return bars, [centre - 2.5 * step, centre + 2.5 * step]


def _bars(x: list[float], widths: list[float], counts: list[int], texts: list[str]) -> dict:
    """A bar trace; under the pointer, a bar shows its numbers as the labels write them."""
    return {
        "type": "bar",
        "x": x,
        "width": widths,
        "y": counts,
        "customdata": texts,
        "hovertemplate": "%{customdata}: %{y} values<extra></extra>",
        "marker": {"color": BAR_COLOUR},
    }


def _compared(
    name: str, tables: list[tuple[str, ColumnSummary | None]], axis: _Axis, digits: int
) -> list[dict[str, Any]]:
    """A row per table that has numbers in the column: the traces of the rows below the
    histogram, drawn on the second axes."""
    rows = [(table, column) for table, column in tables if column and column.numeric_count]
    names = [table for table, _ in rows]

    def drawn(attribute: str) -> list[float | None]:
        values = [getattr(column, attribute) for _, column in rows]
        return [None if value is None else axis.drawn(value) for value in values]

    low, high = drawn("p05"), drawn("p95")
    texts = [
        f"{table}: {column.numeric_count:,} numbers, "
        + ", ".join(
            f"{label} {_number(value, digits)}"
            for label, value in (
                ("5%", column.p05), ("median", column.median), ("mean", column.mean),
                ("95%", column.p95),
            )
            if value is not None
        )
        for table, column in rows
    ]  # fmt: skip
    on_rows = {"xaxis": "x2", "yaxis": "y2", "name": f"{name}, each table"}
    lines_x: list[float | None] = []
    lines_y: list[str | None] = []
    for table, minimum, maximum in zip(names, drawn("min"), drawn("max"), strict=True):
        lines_x += [minimum, maximum, None]
        lines_y += [table, table, None]
    return [
        {
            **on_rows,
            "type": "scatter",
            "mode": "lines",
            "x": lines_x,
            "y": lines_y,
            "line": {"color": LINE_COLOUR, "width": 1.5},
            "hoverinfo": "skip",
        },
        {
            **on_rows,
            "type": "bar",
            "orientation": "h",
            "y": names,
            "base": low,
            "x": [
                None if a is None or b is None else b - a for a, b in zip(low, high, strict=True)
            ],
            "width": 0.5,
            "marker": {"color": RANGE_COLOUR},
            "customdata": texts,
            "hovertemplate": "%{customdata}<extra></extra>",
        },
        {
            **on_rows,
            "type": "scatter",
            "mode": "markers",
            "x": drawn("median"),
            "y": names,
            "marker": {
                "symbol": "line-ns-open",
                "size": 14,
                "color": MEDIAN_COLOUR,
                "line": {"width": 2, "color": MEDIAN_COLOUR},
            },
            "hoverinfo": "skip",
        },
        {
            **on_rows,
            "type": "scatter",
            "mode": "markers",
            "x": drawn("mean"),
            "y": names,
            "marker": {"symbol": "diamond", "size": 8, "color": MARKS["mean"][2]},
            "hoverinfo": "skip",
        },
    ]


def _marks(
    column: ColumnSummary, axis: _Axis, digits: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The marked statistics: a line each, and labels that never overlap (see the docstring)."""
    marks = [
        (value, label, dash, colour)
        for attribute, (label, dash, colour) in MARKS.items()
        if (value := getattr(column, attribute)) is not None
    ]
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": axis.drawn(value),
            "x1": axis.drawn(value),
            "y0": 0,
            "y1": 1,
            "line": {"color": colour, "dash": dash, "width": 2},
        }
        for value, _, dash, colour in marks
    ]
    # Sorted by value (stable: a tie keeps the order of MARKS), equal texts are neighbours.
    rows: dict[str, list[tuple[float, str, str]]] = {}
    for value, label, _, colour in sorted(marks, key=lambda mark: mark[0]):
        rows.setdefault(_number(value, digits), []).append((value, label, colour))
    annotations = []
    for row, (text, merged) in enumerate(rows.items()):
        colours = {colour for _, _, colour in merged}
        annotations.append(
            {
                "x": axis.drawn(merged[0][0]),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 4 + row * LABEL_ROW,
                "text": " = ".join([label for _, label, _ in merged] + [text]),
                "showarrow": False,
                "font": {"color": colours.pop() if len(colours) == 1 else MERGED_COLOUR},
            }
        )
    return shapes, annotations


def _menu(views: list[_ColumnView], above: int) -> dict[str, Any]:
    owners = [index for index, view in enumerate(views) for _ in view.traces]  # of each trace
    buttons = [
        {
            "label": view.name,
            "method": "update",
            "args": [{"visible": [owner == index for owner in owners]}, view.layout],
        }
        for index, view in enumerate(views)
    ]
    return {
        "type": "dropdown",
        "buttons": buttons,
        "x": 0,
        "xanchor": "left",
        "y": 1,
        "yanchor": "bottom",
        "pad": {"b": above},
        "active": 0,
    }


def _nested(paths: dict[str, Any]) -> dict[str, Any]:
    """Attribute paths ({"xaxis.range": r}) as a nested layout ({"xaxis": {"range": r}})."""
    nested: dict[str, Any] = {}
    for path, value in paths.items():
        *parents, last = path.split(".")
        inner = nested
        for parent in parents:
            inner = inner.setdefault(parent, {})
        inner[last] = value
    return nested


def _number(value: float, digits: int) -> str:
    return f"{value:.{digits}g}"


def _between(left: float, right: float, digits: int) -> str:
    """A bin's numbers as text: "27.5 to 28.5", or "28" when both edges read the same."""
    left_text, right_text = _number(left, digits), _number(right, digits)
    return left_text if left_text == right_text else f"{left_text} to {right_text}"


def _in_units(value: float, exponent: int) -> float:
    """``value`` / 10**exponent, correctly rounded (through the exact decimal of ``value``)."""
    return float(Decimal(value).scaleb(-exponent)) if exponent else value


def _round_down(value: float) -> float:
    """The largest of 1, 2 and 5 times a power of ten that is at most ``value`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(step * power for step in (1, 2, 5) if step * power <= value * (1 + 1e-9))
