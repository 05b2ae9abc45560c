"""Tests of the built book: offline HTML, charts drawn in a browser, and the PDF."""

import functools
import http.server
import json
import re
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from surveillance_book.build import PDF_NAME
from surveillance_book.edition import edition
from surveillance_book.paths import NOTEBOOKS_DIR

REMOTE = re.compile(r"^\s*(https?:)?//", re.I)
CSS_REMOTE = re.compile(r"""(@import\s+|url\(\s*)["']?(https?:)?//""", re.I)
RESOURCE_ATTRIBUTES = [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
                       ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
                       ("object", "data"), ("image", "href"), ("use", "href")]
LINK_RESOURCES = {"stylesheet", "preload", "prefetch", "icon", "modulepreload", "manifest", "font"}


def html_pages(build_dir: Path) -> list[Path]:
    return sorted((build_dir / "html").rglob("*.html"))


def content_pages(build_dir: Path) -> list[Path]:
    skip = {"genindex.html", "search.html"}
    return [p for p in html_pages(build_dir) if p.name not in skip and "_static" not in p.parts]


def remote_resources(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = []
    for tag, attr in RESOURCE_ATTRIBUTES:
        for element in soup.find_all(tag):
            if tag == "link" and not LINK_RESOURCES & set(element.get("rel", [])):
                continue  # an ordinary hyperlink, not something the page loads
            value = element.get(attr) or element.get("xlink:href") or ""
            if REMOTE.match(value):
                found.append(f"<{tag} {attr}={value}>")
    for style in soup.find_all("style"):
        found += [f"<style> {m.group(0)}" for m in CSS_REMOTE.finditer(style.get_text())]
    return found


def test_built_html_loads_nothing_from_other_hosts(built_book):
    pages = html_pages(built_book)
    assert len(pages) >= 4
    offenders = {str(p.relative_to(built_book)): r for p in pages if (r := remote_resources(p))}
    css = {str(p.relative_to(built_book)): CSS_REMOTE.findall(p.read_text(errors="replace"))
           for p in (built_book / "html" / "_static").rglob("*.css")}
    assert offenders == {}
    assert {k: v for k, v in css.items() if v} == {}


def test_remote_resource_check_catches_a_cdn_script(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<script src="https://cdn.example/vega.js"></script><link rel="stylesheet" href="//x/y.css">'
                    '<a href="https://example.org">a plain link is fine</a><img src="data:image/png;base64,AA">')
    assert remote_resources(page) == ["<script src=https://cdn.example/vega.js>", "<link href=//x/y.css>"]


def test_vega_bundle_is_served_with_the_book(built_book):
    bundle = built_book / "html" / "_static" / "vega-bundle.js"
    assert bundle.stat().st_size > 500_000
    assert "window.vegaEmbed" in bundle.read_text(encoding="utf-8")


def test_every_page_shows_the_edition(built_book):
    version = edition().version
    for page in content_pages(built_book):
        assert f"Edition {version}" in page.read_text(encoding="utf-8"), page


def _chart_count() -> int:
    count = 0
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            count += sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
    return count


def test_pdf_has_title_edition_and_every_chart_as_an_image(built_book):
    reader = PdfReader(built_book / "pdf" / PDF_NAME)
    front = "\n".join(page.extract_text() for page in reader.pages[:2])
    assert "High-Tech Surveillance of Immigrants" in front
    assert f"Edition {edition().version}" in front
    images = sum(len(page.images) for page in reader.pages)
    assert _chart_count() >= 1
    assert images >= _chart_count()


class _Recorder(http.server.SimpleHTTPRequestHandler):
    failures: list[str] = []

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if len(args) >= 2 and str(args[1]).isdigit() and int(args[1]) >= 400:
            self.failures.append(f"{args[1]} {args[0]}")


@pytest.fixture(scope="module")
def served_book(built_book):
    handler = functools.partial(_Recorder, directory=str(built_book / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def render(url: str) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and the console messages, from headless Chromium."""
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=15000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    return result.stdout, console


def test_charts_draw_in_a_browser_without_errors(built_book, served_book):
    charts_seen = 0
    for page in content_pages(built_book):
        relative = page.relative_to(built_book / "html").as_posix()
        _Recorder.failures.clear()
        dom, console = render(f"{served_book}/{relative}")
        soup = BeautifulSoup(dom, "html.parser")
        assert soup.find("main") is not None, f"{relative}: page did not render"
        for chart in soup.select("div.vega-chart"):
            assert chart.find("svg") or chart.find("canvas"), f"{relative}: chart {chart.get('id')} not drawn"
            charts_seen += 1
        assert console == [], f"{relative}: console messages {console}"
        assert _Recorder.failures == [], f"{relative}: failed requests {_Recorder.failures}"
    assert charts_seen == _chart_count()
