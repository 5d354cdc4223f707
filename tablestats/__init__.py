"""Table statistics: the app's logic, in plain Python.

Nothing in here knows about VIKTOR's views or buttons, so the controller, the command line and the
tests all call the same functions, and a second entity type can reuse them. The modules, in the
order the data flows through them:

- ``upload``: an uploaded file (bytes) to rows, with the limits that keep a bad file harmless.
- ``statistics``: rows to a per-column summary.
- ``results``: compute a summary once and keep it in a store, so later jobs reuse it.
- ``store``: where results are kept: VIKTOR Storage in the app, a folder on the command line.
- ``report``: a summary to an Excel report, from a template.
"""
