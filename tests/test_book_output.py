"""Tests of the built book: offline HTML, charts drawn in a browser, and the PDF."""

import contextlib
import functools
import http.server
import json
import re
import threading
from pathlib import Path

import pytest
from browser import Browser
from bs4 import BeautifulSoup
from pypdf import PdfReader

from surveillance_book.build import PDF_NAME
from surveillance_book.edition import edition
from surveillance_book.execute import notebooks

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
    return [p for p in html_pages(build_dir) if p.name not in skip and "_static" not in p.parts
            and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")]  # index.html only redirects


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


def test_no_unrendered_theme_template_is_published(built_book):
    static = built_book / "html" / "_static"
    assert (static / "vega-bundle.js").is_file()  # the right folder
    # the themes copy their Jinja macro files (webpack-macros.html, sbt-webpack-macros.html) here
    templates = [p.relative_to(static).as_posix() for p in static.rglob("*.html")]
    assert templates == []
    jinja = [p.name for p in static.rglob("*") if p.is_file() and p.suffix in (".html", ".htm", ".txt")
             and "{%" in p.read_text(encoding="utf-8", errors="replace")]
    assert jinja == []


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
    for path in notebooks():  # the chapters of the TOC
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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # failed requests are seen by the browser, not the server log


@contextlib.contextmanager
def serve(directory):
    """A local HTTP server for ``directory``; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def served_book(built_book):
    with serve(built_book / "html") as url:
        yield url


@pytest.mark.parametrize("opened", ["served", "from disk"])
def test_charts_draw_in_a_browser_without_errors(built_book, served_book, opened):
    base = served_book if opened == "served" else (built_book / "html").as_uri()  # file:// as the README says
    browser = Browser()
    try:
        reports = [browser.open(f"{base}/{p.relative_to(built_book / 'html').as_posix()}")
                   for p in content_pages(built_book)]
    finally:
        browser.close()
    for report in reports:
        assert report.errors == [], f"{report.url}: console errors"
        assert report.failed_requests == [], f"{report.url}: failed requests"
        assert [c for c in report.charts if not c["drawn"]] == [], f"{report.url}: charts not drawn"
    assert sum(len(r.charts) for r in reports) == _chart_count()


def test_browser_check_sees_errors_and_undrawn_charts(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<html><body><div class="vega-chart" id="c"></div><script>console.error("boom"); undefinedCall();</script>'
        '<img src="missing.png"></body></html>')
    browser = Browser()
    with serve(tmp_path) as url:
        try:
            report = browser.open(f"{url}/bad.html", settle=0.5)
        finally:
            browser.close()
    assert "boom" in report.errors
    assert any("undefinedCall" in e for e in report.errors)
    assert any("missing.png" in f for f in report.failed_requests)
    assert report.charts == [{"id": "c", "drawn": False}]


def test_every_page_links_the_whole_data_package(built_book):
    import zipfile

    from data_zip_check import check_data_zip

    from surveillance_book.data import package

    targets = set()
    for page in content_pages(built_book):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        link = soup.find("a", string="download the data package (zip)")
        assert link is not None, page
        target = (page.parent / link["href"]).resolve()
        assert target.name == f"high-tech-surveillance-data-{package()['version']}.zip"
        targets.add(target)
    (target,) = targets
    with zipfile.ZipFile(target) as archive:
        assert {"data/datapackage.json", "data/contracts.csv", "data/README.md", "data/LICENSE"} <= set(
            archive.namelist())
    check_data_zip(target, "data")  # self-contained: licence, citation, a README that needs no repository


def test_chart_rows_can_be_downloaded_from_the_page(built_book):
    for page in content_pages(built_book):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        charts = soup.select("div.vega-chart")
        downloads = soup.select('a[download][href^="data:text/csv"]')
        assert len(downloads) >= len(charts), page
