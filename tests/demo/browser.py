"""Render a Plotly figure in a real headless browser, with the plotly.js the plotly package ships.

``render(figure_json)`` opens a page that draws the figure, then shows each column in turn as its
menu button would, and reports what a reader would see (how many bars, how large the tallest is,
which labels overlap) and every error the page logged; ``render_all`` does so for several figures
in one start of the browser. ``screenshot`` saves the figure as it first
shows as a picture, to look at; ``python -m tests.demo.browser`` does so for the bundled sample.
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
let result = {errors: []};  // of the figure being drawn
window.addEventListener("error", (event) => result.errors.push(String(event.message)));
const consoleError = console.error;
console.error = (...parts) => { result.errors.push(parts.join(" ")); consoleError(...parts); };
</script><script src="PLOTLY_JS"></script></head>
<body style="margin:0"><div id="plot" style="height:500px"></div>
<pre id="result" hidden></pre>
<script type="application/json" id="figures">FIGURES</script><script>
const box = (element) => {
  const r = element.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
};
const apart = (a, b) =>
  a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
async function draw(text, width) {
  result = {errors: [], bars: [], views: [], menus: 0};
  const plot = document.getElementById("plot");
  plot.style.width = width + "px";
  try {
    const figure = JSON.parse(text);
    await Plotly.newPlot(plot, figure.data, figure.layout);
    const menu = (figure.layout.updatemenus || [])[0];
    result.menus = plot.querySelectorAll(".updatemenu-container").length;
    const views = SHOW_ALL ? (menu ? menu.buttons.length : Math.min(figure.data.length, 1)) : 0;
    for (let index = 0; index < views; index++) {
      if (menu) {
        const [traces, layout] = menu.buttons[index].args;
        await Plotly.update(plot, traces, layout);
      }
      const bars = [...plot.querySelectorAll(".barlayer .point")].map(box);
      result.bars.push(bars.length);
      // What a reader sees: the tallest bar's size in pixels, the labels of the marks, and which
      // of them overlap each other, the title or the menu.
      const tallest = bars.reduce((a, b) => (b.bottom - b.top > a.bottom - a.top ? b : a), bars[0]);
      const labels = [...plot.querySelectorAll(".annotation")];
      const others = [...plot.querySelectorAll(".gtitle, .updatemenu-header")].map(box);
      const overlaps = [];
      labels.forEach((label, i) => {
        const here = box(label);
        labels.slice(i + 1).forEach((other) => {
          if (!apart(here, box(other))) overlaps.push([label.textContent, other.textContent]);
        });
        if (others.some((other) => !apart(here, other))) {
          overlaps.push([label.textContent, "title or menu"]);
        }
      });
      result.views.push({
        tallest_bar: tallest ? [tallest.right - tallest.left, tallest.bottom - tallest.top] : null,
        labels: labels.map((label) => label.textContent),
        overlaps: overlaps,
      });
    }
  } catch (error) {
    result.errors.push(String(error));
  }
  return result;
}
(async () => {
  const drawn = [];
  for (const [text, width] of JSON.parse(document.getElementById("figures").textContent)) {
    drawn.push(await draw(text, width));
    if (SHOW_ALL) Plotly.purge(document.getElementById("plot"));  // the next starts afresh
  }
  document.getElementById("result").textContent = JSON.stringify(drawn);
})();
</script></body></html>
"""


def find_browser() -> str | None:
    named = os.environ.get("BROWSER_FOR_TESTS")
    if named:
        return named
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def render(figure_json: str, browser: str, width: int = 900) -> dict:
    """What the browser drew, with each column shown in turn as its menu button shows it:
    {"bars": [bars drawn for column 1, column 2, ...], "views": [{"tallest_bar": [width, height]
    in pixels, "labels": [the marks' labels], "overlaps": [pairs of texts that overlap]}, ...],
    "menus": n, "errors": [...]}"""
    return render_all([(figure_json, width)], browser)[0]


def render_all(figures: list[tuple[str, int]], browser: str) -> list[dict]:
    """``render`` for each (figure, width), one after the other in one page: the browser, which
    takes a second to start, starts once."""
    with tempfile.TemporaryDirectory() as folder:
        page = _page(figures, Path(folder), show_all=True)
        completed = subprocess.run(
            _command(browser, Path(folder)) + ["--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
    found = re.search(r'<pre id="result" hidden="">(.*?)</pre>', completed.stdout, re.DOTALL)
    if found is None or not found[1].strip():
        raise RuntimeError(
            f"the page reported nothing; the browser said: {completed.stderr[-2000:]}"
        )
    return json.loads(unescape(found[1]))


def screenshot(figure_json: str, browser: str, png: Path, width: int = 900) -> None:
    """A picture of the figure as it first shows, to look at."""
    with tempfile.TemporaryDirectory() as folder:
        page = _page([(figure_json, width)], Path(folder), show_all=False)
        command = _command(browser, Path(folder)) + [
            f"--window-size={width},540",
            "--hide-scrollbars",
            f"--screenshot={png.resolve()}",
            page.as_uri(),
        ]
        subprocess.run(command, capture_output=True, timeout=120, check=True)


def _page(figures: list[tuple[str, int]], folder: Path, show_all: bool) -> Path:
    page = folder / "figure.html"
    # "</" would end the script element that holds the figures; JSON reads "<\\/" as "</".
    embedded = json.dumps(figures).replace("</", "<\\/")
    html = (
        _PAGE.replace("PLOTLY_JS", PLOTLY_JS.as_uri())
        .replace("SHOW_ALL", "true" if show_all else "false")
        .replace("FIGURES", embedded)
    )
    page.write_text(html, encoding="utf-8")
    return page


def _command(browser: str, folder: Path) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",  # as root in a container, Chromium refuses to start without it
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",  # this runs offline: no update checks
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={folder / 'profile'}",
        "--allow-file-access-from-files",
        "--virtual-time-budget=20000",
    ]


if __name__ == "__main__":
    # The bundled sample's figure as a picture: python -m tests.demo.browser [PNG]
    import sys

    from tablestats.__main__ import SAMPLE_UPLOAD
    from tablestats.plot import distribution_figure

    from .sample_files import stats

    found_browser = find_browser()
    if found_browser is None:
        sys.exit("no Chromium or Chrome: install chromium, or set BROWSER_FOR_TESTS")
    summary, _ = stats(SAMPLE_UPLOAD.read_bytes(), SAMPLE_UPLOAD.name)
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "distributions.png")
    screenshot(distribution_figure(summary), found_browser, target)
    print(f"wrote {target}")
