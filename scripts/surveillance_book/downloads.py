"""Sphinx extension (listed in _config.yml): every page's download menu offers the edition's files.

The theme's header download button (sphinx-book-theme ``use_download_button``) holds the page's source
and a "Print to PDF" entry (``window.print()`` of one page, which is not the edition). Here the menu gets:

- the PDF of the book, first, when the build makes one: ``build.py`` builds the PDF beside the HTML and
  copies it into the HTML tree (``_static/``) once both are built, so the link works from disk, served
  and in the release's HTML zip. ``build.py`` says whether there will be a PDF in the environment
  (``SURVEILLANCE_BOOK_PDF``: the PDF's file name, empty for ``--no-pdf``): the HTML never links a PDF
  that is not there;
- on a chapter page, its executed notebook (the stored ``.ipynb``, outputs and all, which Sphinx copies
  to ``_sources/``), named as such; on another page its source, named as such;
- no "Print to PDF";
- on a directory profile no page source: Sphinx builds one page for them all (``directory.publish``).
"""

import os

from .directory.profile import PREFIX
from .directory.publish import SHELL

PDF_ENV = "SURVEILLANCE_BOOK_PDF"
PDF_FOLDER = "_static"  # where build.py puts the PDF in the HTML tree
PDF_LABEL = "download-book-pdf-button"
PROFILES_PAGE = PREFIX + SHELL.removesuffix(".md")


def _pdf_from_environment(app, config) -> None:
    config.surveillance_book_pdf = os.environ.get(PDF_ENV, "")


def _download_menu(app, pagename, templatename, context, doctree) -> None:
    """Rewrite the theme's download group (built by its html-page-context handler at priority 501)."""
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = []
        if app.config.surveillance_book_pdf:
            buttons.append({
                "type": "link", "label": PDF_LABEL, "icon": "fas fa-file-pdf",
                "url": context["pathto"](f"{PDF_FOLDER}/{app.config.surveillance_book_pdf}", 1),
                "text": f"Book (PDF, edition {app.config.version})",
                "tooltip": "Download the whole book as a PDF: this edition, as printed",
            })
        for button in group["buttons"]:
            if button.get("label") == "download-pdf-button":
                continue  # the browser printing this one page, not the edition's PDF
            if button.get("label") == "download-source-button" and pagename == PROFILES_PAGE:
                continue
            if button.get("label") == "download-source-button" and button.get("text") == ".ipynb":
                button = {**button, "text": "Notebook (.ipynb, executed)", "icon": "fas fa-code",
                          "tooltip": "Download this chapter's notebook, with its outputs"}
            elif button.get("label") == "download-source-button":
                button = {**button, "text": f"Page source ({button.get('text')})"}
            buttons.append(button)
        group["buttons"] = buttons
        group["tooltip"] = "Download the book or this page"


def setup(app):
    app.add_config_value("surveillance_book_pdf", "", "html")  # a change rewrites every page
    app.connect("config-inited", _pdf_from_environment)
    app.connect("html-page-context", _download_menu, priority=600)  # after the theme's buttons (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
