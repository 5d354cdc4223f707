"""Render a Plotly figure in a real headless browser, with the plotly.js the plotly package ships.

``render(figure_json)`` opens a page that draws the figure, then shows each column in turn as its
menu button would, and reports how many bars each drawing has and every error the page logged.
The browser is Chromium or Chrome: ``BROWSER_FOR_TESTS`` names it, else the first found on the
PATH (``.ci/run`` installs Debian's ``chromium`` when none is; GitHub's runners have Chrome).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html import unescape
from pathlib import Path

import plotly

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><script>
const result = {errors: [], bars: [], menus: 0};
window.addEventListener("error", (event) => result.errors.push(String(event.message)));
const consoleError = console.error;
console.error = (...parts) => { result.errors.push(parts.join(" ")); consoleError(...parts); };
</script><script src="PLOTLY_JS"></script></head>
<body><div id="plot" style="width:900px;height:500px"></div><pre id="result"></pre>
<script type="application/json" id="figure">FIGURE</script><script>
(async () => {
  try {
    const figure = JSON.parse(document.getElementById("figure").textContent);
    const plot = document.getElementById("plot");
    await Plotly.newPlot(plot, figure.data, figure.layout);
    const menu = (figure.layout.updatemenus || [])[0];
    result.menus = plot.querySelectorAll(".updatemenu-container").length;
    for (let index = 0; index < figure.data.length; index++) {
      if (menu) {
        const [traces, layout] = menu.buttons[index].args;
        await Plotly.update(plot, traces, layout);
      }
      result.bars.push(plot.querySelectorAll(".barlayer .point").length);
    }
  } catch (error) {
    result.errors.push(String(error));
  }
  document.getElementById("result").textContent = JSON.stringify(result);
})();
</script></body></html>
"""


def find_browser() -> str | None:
    named = os.environ.get("BROWSER_FOR_TESTS")
    if named:
        return named
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def render(figure_json: str, browser: str) -> dict:
    """{"bars": [bars drawn with column 1 shown, column 2, ...], "menus": n, "errors": [...]}"""
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "figure.html"
        # "</" would end the script element that holds the figure; JSON reads "<\\/" as "</".
        embedded = figure_json.replace("</", "<\\/")
        html = _PAGE.replace("PLOTLY_JS", PLOTLY_JS.as_uri()).replace("FIGURE", embedded)
        page.write_text(html, encoding="utf-8")
        completed = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",  # as root in a container, Chromium refuses to start without it
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",  # this runs offline: no update checks
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={Path(folder) / 'profile'}",
                "--allow-file-access-from-files",
                "--virtual-time-budget=20000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    found = re.search(r'<pre id="result">(.*?)</pre>', completed.stdout, re.DOTALL)
    if found is None or not found[1].strip():
        raise RuntimeError(
            f"the page reported nothing; the browser said: {completed.stderr[-2000:]}"
        )
    return json.loads(unescape(found[1]))
