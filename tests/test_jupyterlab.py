"""JupyterLab as a student meets it (`make lab`): a chapter opened in a real JupyterLab, in headless
Chromium, and run. Its prose shows the glued phrases (jupyterlab-myst evaluates {eval}`prose.KEY` in
the kernel), not role markup; every chart is drawn by JupyterLab's Vega renderer; every table of rows
is an HTML table; nothing is requested from another host; the console stays clean.

The chapter is a scratch copy of notebooks/cloud.ipynb, run with the project's Jupyter config
(.jupyter/) copied into a temporary folder: nothing in the repository is written. Set
HTS_LAB_SCREENSHOT=/tmp/jupyterlab-cloud.png to keep a screenshot of the page after the run.
"""

import ast
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import Browser, problems, requested_urls

from surveillance_book.chapter import GLUE_MIME
from surveillance_book.charts import VEGALITE_MIME
from surveillance_book.paths import DATA_DIR, REPO

CHAPTER = REPO / "notebooks" / "cloud.ipynb"  # the thinnest chapter
JUPYTER = Path(sys.executable).with_name("jupyter")
ROLE_MARKUP = ["{glue:", "{eval}", "{cite:", "```{table}", "{glue}"]
# Console warnings allowed by exact text, each with the reason it cannot be fixed here.
KNOWN_CONSOLE = {
    # charts.py stores Altair 6's Vega-Lite v6 specs under the v5 mime type, the newest JupyterLab 4.6
    # renders; its Vega-Lite 5.6.1 draws them (checked below) but warns once per chart. To go when the
    # specs are v5 or JupyterLab renders v6.
    "The input spec uses Vega-Lite v6.4.1, but the current version of Vega-Lite is v5.6.1.",
}

# JupyterLab's own warnings when a plugin takes over its time budget to start, which happens on a
# loaded machine (a test run beside others); they say nothing about the chapter.
SLOW_PLUGIN = re.compile(r"Plugin [@\w/.:-]+ (is taking too long to activate"
                         r"|(\(with \d+ dependants?\) )?took [\d.]+ms to activate)\.")


# --- JupyterLab -------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab with the project's config on a scratch copy of the cloud chapter and the data."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    shutil.copytree(DATA_DIR, root / "data")  # the chapter's data_dir is ../data
    shutil.copyfile(CHAPTER, root / "notebooks" / CHAPTER.name)  # copied now: others may be editing it
    config = root / "jupyter"
    shutil.copytree(REPO / ".jupyter", config)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config),  # as `make lab` sets them, inside the copy
               JUPYTERLAB_SETTINGS_DIR=str(config / "lab" / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(config / "lab" / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    port, token = _free_port(), secrets.token_hex(16)
    log = (root / "server.log").open("w")
    server = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
         f"--ServerApp.root_dir={root / 'notebooks'}", *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(f"{url}/api/status?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (root / "server.log").read_text()) from None
                time.sleep(0.2)
        yield {"url": url, "token": token, "port": port, "root": root}
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the kernel it started
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


PANEL = f"Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.context?.path === '{CHAPTER.name}')"
CELLS_JS = """(() => { const panel = %s;
  const texts = sel => (node) => Array.from(node.querySelectorAll(sel)).map(e => e.innerText);
  return panel.content.widgets.map(cell => {
    const md = cell.model.type === 'markdown', myst = cell.node.querySelector('.myst');
    return {
      type: cell.model.type,
      source: cell.model.sharedModel.getSource(),
      myst: md ? (myst ? myst.innerText : null) : null,
      unevaluated: md && myst ? texts('code')(myst).filter(t => t.startsWith('prose.')) : [],
      expression_errors: md && myst ? texts('[data-mime-type="application/vnd.jupyter.stderr"]')(myst) : [],
      outputs: md ? [] : cell.model.outputs.toJSON().map(o => ({
        type: o.output_type, mimes: Object.keys(o.data || {}),
        glue: o.metadata?.scrapbook?.name ?? null, text: (o.data || {})['%s'] ?? null,
        markdown: (o.data || {})['text/markdown'] ?? null})),
      shown: md ? [] : Array.from(cell.node.querySelectorAll('.jp-OutputArea-output')).map(o => ({
        classes: o.className, text: o.innerText,
        vega: !!o.querySelector('.vega-embed'), drawn: !!o.querySelector('canvas.marks, svg.marks'),
        actions: !!o.querySelector('.vega-embed details, .vega-actions'),
        tables: Array.from(o.querySelectorAll('table')).map(t => ({
          caption: t.querySelector('caption')?.innerText ?? null,
          headers: t.querySelectorAll('thead th').length, rows: t.querySelectorAll('tbody tr').length}))})),
    };
  });
})()"""


@pytest.fixture(scope="module")
def ran(lab):
    """The chapter opened at /lab/tree/cloud.ipynb and run with Run All, as a student would."""
    browser = Browser()
    try:
        browser.set_viewport(1280, 1000)
        browser.navigate(f"{lab['url']}/lab/tree/{CHAPTER.name}?token={lab['token']}")
        kernel = f"({PANEL}).sessionContext.session?.kernel?.status"
        browser.wait_until(f"!!window.jupyterapp && !!({PANEL})", 60, "JupyterLab opened the chapter")
        browser.wait_until(f"{kernel} === 'idle'", 60, "the chapter's kernel started")
        browser.evaluate(f"window.jupyterapp.shell.activateById(({PANEL}).id)")
        ok = browser.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')", await_promise=True)
        browser.wait_until(f"{kernel} === 'idle'", 60, "the kernel finished the chapter")
        # jupyterlab-myst asks the kernel for the {eval} values once the code has run: wait for its answers
        cells_js = CELLS_JS % (PANEL, GLUE_MIME)
        waiting = f"{cells_js}.every(c => c.type !== 'markdown' || !c.source.includes('{{eval}}') "
        waiting += "|| c.unevaluated.length === 0)"
        try:
            browser.wait_until(waiting, 20, "jupyterlab-myst evaluated every {eval} role")
        except TimeoutError:
            pass  # the assertions below say which
        browser._drain(browser.events, 1.5)  # let the last charts draw
        cells = browser.evaluate(cells_js)
        page_text = browser.evaluate("document.body.innerText")
        panel_text = browser.evaluate(f"({PANEL}).node.innerText")
        if os.environ.get("HTS_LAB_SCREENSHOT"):
            _screenshots(browser, Path(os.environ["HTS_LAB_SCREENSHOT"]))
        yield {"ok": ok, "cells": cells, "page_text": page_text, "panel_text": panel_text,
               "events": list(browser.events)}
    finally:
        browser.close()


def _screenshots(browser: Browser, path: Path) -> None:
    """The chapter's top as a student first sees it (``path``), then the whole chapter, a screen at a time,
    in a window as tall as the chapter (``path``-1, -2, …)."""
    scroller = (f"[({PANEL}).content.node, ...({PANEL}).content.node.querySelectorAll('*')].find(e => "
                "e.scrollHeight > e.clientHeight + 10 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))")
    browser.evaluate(f"({scroller}).scrollTop = 0")
    browser._drain(browser.events, 0.5)
    browser.screenshot(path)
    height = min(browser.evaluate(f"({scroller}).scrollHeight") + 200, 16000)
    browser.evaluate("window.jupyterapp.commands.execute('application:toggle-left-area')", await_promise=True)
    browser.set_viewport(1280, height)
    browser._drain(browser.events, 2)
    for number, top in enumerate(range(0, height, 1000), start=1):
        browser.screenshot(path.with_name(f"{path.stem}-{number}{path.suffix}"),
                           clip=(0, top, 1280, min(1000, height - top)))


def test_run_all_ran_every_code_cell(ran):
    assert ran["ok"] is True
    assert [o for c in ran["cells"] for o in c["outputs"] if o["type"] == "error"] == []


def test_markdown_is_rendered_by_jupyterlab_myst(ran):
    markdown = [c for c in ran["cells"] if c["type"] == "markdown"]
    assert markdown and all(c["myst"] is not None for c in markdown)


def test_no_role_markup_is_visible(ran):
    for text in (ran["panel_text"], ran["page_text"]):
        assert [m for m in ROLE_MARKUP if m in text] == []
    assert not re.search(r"\{[a-z:-]+\}`", ran["panel_text"]), "some role is shown as text"


def _glued(cells) -> dict[str, str]:
    """The phrases the chapter glued, from its outputs, as the book reads them (myst-nb's literal_eval)."""
    return {o["glue"]: ast.literal_eval(o["text"]) for c in cells for o in c["outputs"] if o["glue"]}


def test_prose_shows_the_glued_phrases(ran):
    glued = _glued(ran["cells"])
    assert len(glued) >= 10
    used = 0
    for cell in (c for c in ran["cells"] if c["type"] == "markdown"):
        assert cell["unevaluated"] == [], f"shown as code, not evaluated: {cell['unevaluated']}"
        assert cell["expression_errors"] == []
        rendered = " ".join(cell["myst"].split())
        for key in re.findall(r"\{eval\}`prose\.(\w+)`", cell["source"]):
            assert " ".join(glued[key].split()) in rendered, f"prose.{key} ({glued[key]!r}) not in: {rendered}"
            used += 1
    assert used >= 10
    assert glued["as_of"] in ran["panel_text"]


def test_every_chart_is_drawn_by_jupyterlabs_vega_renderer(ran):
    charts = [o for c in ran["cells"] for o in c["outputs"] if VEGALITE_MIME in o["mimes"]]
    drawn = [s for c in ran["cells"] for s in c["shown"] if "jp-RenderedVegaCommon5" in s["classes"]]
    assert len(charts) >= 2
    assert len(drawn) == len(charts), "a chart fell back to its PNG or drew nothing"
    assert all(s["vega"] and s["drawn"] and s["actions"] for s in drawn), drawn


def test_tables_of_rows_are_tables(ran):
    stored = [o for c in ran["cells"] for o in c["outputs"] if (o["markdown"] or "").startswith("```{table}")]
    shown = [t for c in ran["cells"] for s in c["shown"] for t in s["tables"]]
    assert len(stored) >= 3
    assert len(shown) == len(stored)
    for table, output in zip(shown, stored, strict=True):
        assert "text/html" in output["mimes"]
        assert table["caption"] and table["headers"] >= 2 and table["rows"] >= 1, table
    assert "Download these rows (CSV)" in ran["panel_text"]


def test_nothing_is_fetched_from_other_hosts(ran, lab):
    local = (f"http://127.0.0.1:{lab['port']}/", f"ws://127.0.0.1:{lab['port']}/", "data:", "blob:", "about:")
    sockets = [e["params"]["url"] for e in ran["events"] if e.get("method") == "Network.webSocketCreated"]
    urls = requested_urls(ran["events"]) + sockets
    assert urls and [u for u in urls if not u.startswith(local)] == []
    failed = [e for e in ran["events"] if e.get("method") == "Network.loadingFailed"
              and not e["params"].get("canceled")]  # JupyterLab cancels superseded workspace saves
    assert failed == []
    assert "Jupyter news" not in ran["page_text"]  # no "Would you like to get notified…" toast


def test_news_and_update_checks_are_off(ran, lab):
    token = f"?token={lab['token']}"
    plugin = _get(f"{lab['url']}/lab/api/settings/@jupyterlab/apputils-extension:notification{token}")
    defaults = {k: v.get("default") for k, v in plugin["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False  # .jupyter's overrides
    assert {"fetchNews", "checkForUpdates"}.isdisjoint(plugin["settings"])  # and nothing set them back
    assert _get(f"{lab['url']}/lab/api/news{token}") == {"news": []}
    assert _get(f"{lab['url']}/lab/api/update{token}") == {"notification": None}


def test_console_has_no_errors_or_warnings(ran):
    errors, _ = problems(ran["events"])
    unexpected = [e for e in errors if e not in KNOWN_CONSOLE and not SLOW_PLUGIN.fullmatch(e)]
    assert unexpected == [], "\n".join(unexpected)
