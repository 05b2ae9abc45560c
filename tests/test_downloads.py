"""The download menu of every page (downloads.py) and the PDF the build puts beside the HTML (build.py).

The built book is checked in test_book_output.py; here, the menu's rules and the build's bookkeeping,
with a stand-in for Sphinx: which PDF the HTML gets, and that ``--no-pdf`` links none."""

from types import SimpleNamespace

import pytest

from surveillance_book import build, downloads
from surveillance_book.claims import REGISTER_NAME


def _theme_menu(source: str) -> dict:
    """The download group as sphinx-book-theme builds it for a page whose source has this suffix."""
    return {"type": "group", "label": "download-buttons", "tooltip": "Download this page", "icon": "fas fa-download",
            "buttons": [
                {"type": "link", "url": f"../_sources/page{source}", "text": source, "label": "download-source-button",
                 "tooltip": "Download source file", "icon": "fas fa-file"},
                {"type": "javascript", "javascript": "window.print()", "text": ".pdf", "label": "download-pdf-button",
                 "tooltip": "Print to PDF", "icon": "fas fa-file-pdf"}]}


def _menu(source: str, pdf: str) -> list[dict]:
    group = _theme_menu(source)
    context = {"header_buttons": [group], "pathto": lambda name, resource=0: f"../{name}"}
    app = SimpleNamespace(config=SimpleNamespace(surveillance_book_pdf=pdf, version="9.9.9"))
    downloads._download_menu(app, "notebooks/page", "page.html", context, None)
    return group["buttons"]


def test_a_chapter_offers_the_books_pdf_and_its_executed_notebook_and_no_print():
    buttons = _menu(".ipynb", "book.pdf")
    assert [(b["text"], b.get("url")) for b in buttons] == [
        ("Book (PDF, edition 9.9.9)", "../_static/book.pdf"),
        ("Notebook (.ipynb, executed)", "../_sources/page.ipynb")]
    assert all(b["type"] == "link" for b in buttons)


def test_another_page_offers_the_pdf_and_its_source():
    assert [b["text"] for b in _menu(".md", "book.pdf")] == ["Book (PDF, edition 9.9.9)", "Page source (.md)"]


def test_without_a_pdf_nothing_links_one():
    buttons = _menu(".ipynb", "")
    assert [b["text"] for b in buttons] == ["Notebook (.ipynb, executed)"]
    assert not any(".pdf" in str(b.get("url", "")) or b.get("javascript") for b in buttons)


@pytest.fixture
def fake_sphinx(monkeypatch):
    """Sphinx stood in for: an HTML tree that says whether it links a PDF, a PDF that says which build made it."""
    calls = []

    def sphinx(builder, work, pdf=True):
        calls.append(builder)
        if builder == "html":
            out = work / "_build" / "html"
            (out / "_static").mkdir(parents=True, exist_ok=True)
            (out / "index.html").write_text(f"pdf linked: {pdf}")
            (out / "_static" / REGISTER_NAME).write_text("claims")
        else:
            out = work / "_build" / "latex"
            out.mkdir(parents=True, exist_ok=True)
            (out / "book.pdf").write_text(f"pdf of build {len(calls)}")

    sources = {"digest": "one"}
    monkeypatch.setattr(build, "sphinx", sphinx)
    monkeypatch.setattr(build, "book_hash", lambda: sources["digest"])
    return SimpleNamespace(calls=calls, sources=sources)


def test_the_html_carries_the_pdf_built_with_it_and_no_pdf_drops_it(tmp_path, fake_sphinx):
    build_dir = tmp_path / "_build"
    html, published = build_dir / "html", build_dir / "pdf" / build.PDF_NAME
    in_html = html / downloads.PDF_FOLDER / build.PDF_NAME

    build.build_and_replace(build_dir)
    assert sorted(fake_sphinx.calls) == ["html", "pdflatex"]
    assert (html / "index.html").read_text() == "pdf linked: True"
    assert in_html.read_bytes() == published.read_bytes()

    fake_sphinx.calls.clear()
    build.build_and_replace(build_dir)  # nothing changed: nothing built, the same PDF in both places
    assert fake_sphinx.calls == []
    assert in_html.read_bytes() == published.read_bytes()

    build.build_and_replace(build_dir, pdf=False)  # the HTML is rebuilt, linking no PDF, and holds none
    assert fake_sphinx.calls == ["html"]
    assert (html / "index.html").read_text() == "pdf linked: False"
    assert not in_html.exists()

    fake_sphinx.calls.clear()
    build.build_and_replace(build_dir)  # the PDF's sources did not change: the HTML gets the published PDF
    assert fake_sphinx.calls == ["html"]
    assert (html / "index.html").read_text() == "pdf linked: True"
    assert in_html.read_bytes() == published.read_bytes()


def test_a_new_pdf_reaches_the_html_tree_too(tmp_path, fake_sphinx):
    build_dir = tmp_path / "_build"
    build.build_and_replace(build_dir)
    in_html = build_dir / "html" / downloads.PDF_FOLDER / build.PDF_NAME
    first = in_html.read_text()
    (build_dir / ".work" / "html.inputs").write_text(f"one\npdf linked: {True}")  # the HTML is current
    (build_dir / ".work" / "pdf.inputs").write_text("older")  # the PDF is not
    fake_sphinx.calls.clear()
    build.build_and_replace(build_dir)
    assert fake_sphinx.calls == ["pdflatex"]
    assert in_html.read_text() != first
    assert in_html.read_bytes() == (build_dir / "pdf" / build.PDF_NAME).read_bytes()
