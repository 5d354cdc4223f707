"""The demo: table statistics, in plain Python (``python -m tools.remove_demo`` removes it).

Nothing in here knows about VIKTOR's views or buttons, so the controller, the command line
(``python -m tablestats``) and the tests all call the same functions. The modules, in the order
the data flows through them:

- ``reading``: an upload to a ``table.Table``, with the reader for its kind (``readers/``), within
  the ``limits`` that keep a bad file harmless. A table comes in blocks of rows, each read into
  columns and the numbers in them found (``numbers``, ``decimals``; ``row_blocks`` for readers
  that give rows).
- ``statistics``: a table's blocks to a per-column summary, in one pass (with ``moments`` and
  ``distribution``); ``notes`` on the cells it did not count.
- ``computation``: the summary as a stored result (``app_files.stored``), computed once.
- ``rows``, ``plot`` and ``report``: the summary as a table's rows, a Plotly figure and an Excel
  report from the bundled template.
"""
