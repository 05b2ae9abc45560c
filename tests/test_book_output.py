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
    """The pages of the table of contents: not the index, search and redirect pages, nor the directory's
    hundred-odd profile pages (test_directory opens a sample of those in the browser)."""
    skip = {"genindex.html", "search.html"}
    return [p for p in html_pages(build_dir) if p.name not in skip and "_static" not in p.parts
            and not is_profile(build_dir, p)
            and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")]  # index.html only redirects


def is_profile(build_dir: Path, page: Path) -> bool:
    return page.parent.parent == build_dir / "html" / "book" / "directory"


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
    """Every page at a desktop width: no console error or failed request, every chart drawn, and nothing
    axe-core calls serious (checked here, on the page as drawn, to open each page once)."""
    base = served_book if opened == "served" else (built_book / "html").as_uri()  # file:// as the README says
    browser = Browser()
    reports, accessibility = [], {}
    try:
        browser.set_viewport(*DESKTOP)
        for page in content_pages(built_book):
            reports.append(browser.open(f"{base}/{page.relative_to(built_book / 'html').as_posix()}"))
            accessibility[reports[-1].url] = axe_failures(browser)
    finally:
        browser.close()
    for report in reports:
        assert report.errors == [], f"{report.url}: console errors"
        assert report.failed_requests == [], f"{report.url}: failed requests"
        assert [c for c in report.charts if not c["drawn"]] == [], f"{report.url}: charts not drawn"
        assert [c["id"] for c in report.charts if not c["fits"]] == [], f"{report.url}: charts cut at the column"
    assert sum(len(r.charts) for r in reports) == _chart_count()
    assert {url: found for url, found in accessibility.items() if found} == {}


def test_browser_check_sees_errors_and_undrawn_charts(tmp_path):
    (tmp_path / "bad.html").write_text(
        '<html><body><div class="vega-chart" id="c"></div><script>console.error("boom"); undefinedCall();</script>'
        '<img src="missing.png"><div style="width: 300px"><div class="vega-chart" id="wide" style="overflow: auto">'
        '<svg width="600" height="10"></svg></div></div></body></html>')
    browser = Browser()
    with serve(tmp_path) as url:
        try:
            report = browser.open(f"{url}/bad.html", settle=0.5)
        finally:
            browser.close()
    assert "boom" in report.errors
    assert any("undefinedCall" in e for e in report.errors)
    assert any("missing.png" in f for f in report.failed_requests)
    assert report.charts == [{"id": "c", "drawn": False, "fits": True}, {"id": "wide", "drawn": True, "fits": False}]


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


def test_every_page_offers_the_editions_pdf_and_its_notebook(built_book):
    """The download menu of every page links the PDF of this edition (the very file the build made, inside the
    HTML tree, so the link works from disk, served and in the release zip) and, on a chapter, its executed
    notebook; the theme's "Print to PDF" of one page is gone."""
    from surveillance_book.downloads import PDF_FOLDER
    from surveillance_book.paths import REPO

    html, version = built_book / "html", edition().version
    pdf = html / PDF_FOLDER / PDF_NAME
    assert pdf.read_bytes() == (built_book / "pdf" / PDF_NAME).read_bytes()
    chapters = {path.relative_to(REPO).with_suffix("").as_posix(): path for path in notebooks()}
    offered = set()
    for page in content_pages(built_book):
        menu = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one(".dropdown-download-buttons")
        assert menu is not None, f"{page}: no download menu"
        links = {a.get_text(" ", strip=True): (page.parent / a["href"]).resolve() for a in menu.select("a[href]")}
        assert links.get(f"Book (PDF, edition {version})") == pdf.resolve(), f"{page}: {links}"
        assert all(target.is_file() for target in links.values()), f"{page}: a link leads nowhere: {links}"
        assert menu.select("[onclick]") == [], f"{page}: the theme's Print to PDF is still there"
        doc = page.relative_to(html).with_suffix("").as_posix()
        if doc in chapters:
            notebook = links.get("Notebook (.ipynb, executed)")
            assert notebook is not None, f"{page}: no notebook in {links}"
            assert notebook.read_bytes() == chapters[doc].read_bytes()  # the stored, executed notebook
            offered.add(doc)
    assert offered == set(chapters)


def test_the_download_menu_works_in_the_release_zip(built_book, tmp_path):
    """The release zips the HTML tree (release.py): every menu link still finds its file inside the zip."""
    import posixpath
    import zipfile

    from surveillance_book.release import _zip_dir

    archive = tmp_path / "html.zip"
    _zip_dir(built_book / "html", archive, "book-html")
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        for page in content_pages(built_book):
            name = f"book-html/{page.relative_to(built_book / 'html').as_posix()}"
            menu = BeautifulSoup(zipped.read(name).decode("utf-8"), "html.parser").select_one(
                ".dropdown-download-buttons")
            targets = [posixpath.normpath(posixpath.join(posixpath.dirname(name), a["href"]))
                       for a in menu.select("a[href]")]
            assert f"book-html/_static/{PDF_NAME}" in targets, name
            assert set(targets) <= names, f"{name}: {set(targets) - names} not in the zip"
        assert zipped.read(f"book-html/_static/{PDF_NAME}") == (built_book / "pdf" / PDF_NAME).read_bytes()


# axe-core's checks (tests/browser.py): at a desktop width in the test above, at a phone's width here, where
# the theme folds its sidebars away and wide charts scroll.
DESKTOP, PHONE = (1280, 900), (480, 900)
# The theme's faults that the book fixed (surveillance_book.accessibility): none may come back, whatever
# impact axe gives it (a region outside any landmark is only "moderate").
FIXED_IN_THE_THEME = {"label-content-name-mismatch", "region", "aria-required-children", "scrollable-region-focusable"}


def axe_failures(browser) -> list[str]:
    from browser import serious

    violations = browser.axe()
    return serious(violations) + [f"{v['impact']} {v['id']}: {', '.join(v['nodes'][:5])}" for v in violations
                                  if v["id"] in FIXED_IN_THE_THEME and v["impact"] not in ("serious", "critical")]


@pytest.mark.parametrize("opened", ["served", "from disk"])
def test_axe_finds_nothing_serious_at_a_phones_width(built_book, served_book, opened):
    base = served_book if opened == "served" else (built_book / "html").as_uri()
    drawn = "Array.from(document.querySelectorAll('div.vega-chart')).every(el => el.querySelector('svg, canvas'))"
    found = {}
    browser = Browser()
    try:
        browser.set_viewport(*PHONE)
        for page in content_pages(built_book):
            url = f"{base}/{page.relative_to(built_book / 'html').as_posix()}"
            browser.navigate(url)
            browser.wait_until(drawn, 30, f"the charts of {url} drawn")
            found[url] = axe_failures(browser)
    finally:
        browser.close()
    assert {url: failures for url, failures in found.items() if failures} == {}


def test_a_chart_drawn_to_the_columns_width_still_shows_its_tooltips(built_book):
    """The biometrics matrix is wider than the column and drawn smaller to fit it (book.css): pointing at a
    symbol still opens its tooltip, which names the system."""
    page = (built_book / "html" / "notebooks" / "biometrics.html").as_uri()
    symbol = """(() => { const chart = document.querySelector('div.vega-chart');
      const svg = chart.querySelector('svg');
      const mark = chart.querySelector('g.mark-symbol path');
      mark.scrollIntoView({block: 'center'});
      const r = mark.getBoundingClientRect();
      return {x: r.x + r.width / 2, y: r.y + r.height / 2,
              scaled: svg.getBoundingClientRect().width < svg.width.baseVal.value - 1}; })()"""
    browser = Browser()
    try:
        browser.set_viewport(*DESKTOP)
        browser.navigate(page)
        browser.wait_until("!!document.querySelector('div.vega-chart g.mark-symbol path')", 30, "the chart drawn")
        point = browser.evaluate(symbol)
        browser.hover(point["x"], point["y"])
        browser.wait_until("!!document.querySelector('#vg-tooltip-element.visible')", 10, "the tooltip shown")
        tooltip = browser.evaluate("document.querySelector('#vg-tooltip-element').textContent")
    finally:
        browser.close()
    assert point["scaled"], "the chart fits the column unscaled: this test no longer tests scaling"
    assert "System" in tooltip, tooltip


def test_the_axe_check_catches_a_button_without_a_name(tmp_path):
    from browser import serious

    (tmp_path / "bad.html").write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<button></button><button aria-label="Close">Open the menu</button></main></body></html>')
    browser = Browser()
    try:
        with serve(tmp_path) as url:
            browser.navigate(f"{url}/bad.html")
            served = serious(browser.axe())
        browser.navigate((tmp_path / "bad.html").as_uri())
        from_disk = serious(browser.axe())
    finally:
        browser.close()
    for found in (served, from_disk):
        assert any(line.startswith("critical button-name") for line in found), found
        assert any(" label-content-name-mismatch " in line for line in found), found  # the rule axe ships off
