"""Table statistics to a Plotly figure of the distributions, as plain data for ``vkt.PlotlyResult``.

One histogram per numeric column, drawn from the stored statistics (so the view never reads the
upload), with the mean and the 5% and 95% quantiles marked. The column is chosen in a menu inside
the figure. Why a menu: it reads the same for a table of 2 columns and of 40, switches at once in
the browser without another job, and needs no field in the editor that only this view would use.
Small multiples of 40 columns would each be too small to read.

The figure is plain JSON data: no plotly package is needed on VIKTOR's workers, and ``json.dumps``
with ``allow_nan=False`` makes sure no NaN or Infinity, which a browser refuses, reaches the view.
"""

from __future__ import annotations

import json
from typing import Any

from tablestats.statistics import ColumnSummary, Summary

BAR_COLOUR = "#4c78a8"
# How each marked statistic is drawn: (label, line dash, colour).
MARKS = {
    "p05": ("5%", "dot", "#e45756"),
    "mean": ("mean", "solid", "#222222"),
    "p95": ("95%", "dot", "#e45756"),
}


def distribution_figure(summary: Summary) -> str:
    """The figure as JSON text: a histogram per numeric column, one shown at a time."""
    columns = [column for column in summary.columns if column.histogram is not None]
    if not columns:
        figure: dict[str, Any] = {
            "data": [],
            "layout": {"title": {"text": "No column holds numbers, so there is nothing to plot"}},
        }
        return json.dumps(figure, allow_nan=False)
    traces = [_histogram(column, visible=index == 0) for index, column in enumerate(columns)]
    layout: dict[str, Any] = {
        **_layout_for(columns[0]),
        "yaxis": {"title": {"text": "Values in the bin"}, "rangemode": "tozero"},
        "bargap": 0.02,
        "showlegend": False,
        "margin": {"t": 90},
    }
    if len(columns) > 1:
        layout["updatemenus"] = [_menu(columns)]
    return json.dumps({"data": traces, "layout": layout}, allow_nan=False)


def _histogram(column: ColumnSummary, visible: bool) -> dict[str, Any]:
    assert column.histogram is not None
    edges, counts = column.histogram.edges, column.histogram.counts
    return {
        "type": "bar",
        "name": column.name,
        "x": [(left + right) / 2 for left, right in zip(edges, edges[1:], strict=False)],
        "width": [right - left for left, right in zip(edges, edges[1:], strict=False)],
        "y": counts,
        "customdata": [[left, right] for left, right in zip(edges, edges[1:], strict=False)],
        "hovertemplate": "%{customdata[0]:.4g} to %{customdata[1]:.4g}: %{y} values<extra></extra>",
        "marker": {"color": BAR_COLOUR},
        "visible": visible,
    }


def _layout_for(column: ColumnSummary) -> dict[str, Any]:
    """What changes with the column shown: the titles and the marked statistics."""
    shapes, annotations = [], []
    for attribute, (label, dash, colour) in MARKS.items():
        value = getattr(column, attribute)
        if value is None:
            continue
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": value,
                "x1": value,
                "y0": 0,
                "y1": 1,
                "line": {"color": colour, "dash": dash, "width": 2},
            }
        )
        annotations.append(
            {
                "x": value,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": f"{label} {value:.4g}",
                "showarrow": False,
                "font": {"color": colour},
            }
        )
    return {
        "title": {"text": f"Distribution of {column.name} ({column.numeric_count:,} numbers)"},
        "xaxis": {"title": {"text": column.name}},
        "shapes": shapes,
        "annotations": annotations,
    }


def _menu(columns: list[ColumnSummary]) -> dict[str, Any]:
    buttons = []
    for index, column in enumerate(columns):
        layout = _layout_for(column)
        buttons.append(
            {
                "label": column.name,
                "method": "update",
                "args": [
                    {"visible": [other == index for other in range(len(columns))]},
                    {
                        "title.text": layout["title"]["text"],
                        "xaxis.title.text": column.name,
                        "shapes": layout["shapes"],
                        "annotations": layout["annotations"],
                    },
                ],
            }
        )
    return {
        "type": "dropdown",
        "buttons": buttons,
        "x": 0,
        "xanchor": "left",
        "y": 1.18,
        "yanchor": "bottom",
        "active": 0,
    }
