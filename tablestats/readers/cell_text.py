"""Cell values as text, the way Excel shows them: the names of the columns of a workbook's table.

A header cell that holds a number or a truth value names its column as Excel shows it in a cell of
the General format (``15``, ``0.3``, ``1E+20``, ``TRUE``), not in Python's spelling (``15.0``,
``True``). Excel shows a date in the short date format of the user's system, which the app cannot
know, so a date names its column in Excel's default format, that of the United States
(``3/1/2024``, ``3/1/2024 14:30``; a time ``14:30:00``, a duration ``26:30:00``).
"""

from __future__ import annotations

import datetime


def cell_text(value: object) -> str:
    """The text Excel shows for a cell that the Excel reader gives as ``value``; "" when empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel keeps 15 significant digits, and writes no "-0".
        return format(value, ".15g").upper() if value else "0"
    if isinstance(value, datetime.datetime):  # before date: a datetime is a date too
        return f"{value.month}/{value.day}/{value.year} {value.hour}:{value.minute:02}"
    if isinstance(value, datetime.date):
        return f"{value.month}/{value.day}/{value.year}"
    if isinstance(value, datetime.time):
        return f"{value.hour}:{value.minute:02}:{value.second:02}"
    if isinstance(value, datetime.timedelta):
        minutes, seconds = divmod(int(value.total_seconds()), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02}:{seconds:02}"
    return str(value)
