"""The print edition: what the PDF sets differently from the HTML (listed in _config.yml).

The notebooks and pages stay one source for both; this extension changes only the LaTeX build:

- **No code.** A chapter's ``parameters`` cell (and papermill's ``injected-parameters``) is left out of
  the PDF; in HTML it stays, folded, as the box that says how to rerun the chapter.
- **No screen-only prose.** A block written as ``:::{div}`` with ``:class: screen-only`` (in HTML a
  ``<div>``, in JupyterLab jupyterlab-myst's own ``div``) is left out of the PDF: what to hover or click
  on is no instruction for paper. An inline node with that class goes too.
- **Front and back matter.** The root page (the introduction) comes after the contents as an unnumbered
  chapter, on roman-numbered pages; the report's chapters are numbered from page 1; the pages of every
  part the table of contents does not number (``numbered: false`` in _toc.yml, unnumbered in HTML too)
  are unnumbered chapters without numbered sections, listed in the contents by their titles only.
- **Sources.** The page holding the bibliography comes last and is the bibliography's chapter: its
  heading and opening lines, then the entries, without the labels of a numbered list (entries are
  author–year, like the citations in the text: see references.py). The HTML hides those labels too
  (``citations.css``, written into the build).
"""

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_design.extension import Div as SphinxDesignDiv

SCREEN_ONLY = "screen-only"
CODE_TAGS = ("parameters", "injected-parameters")  # papermill's: code that opens a chapter
INTRODUCTION = "Introduction"  # the root page's heading in the PDF (its title is the book's)

# After the title page: the contents (roman pages, like the introduction that follows them).
TABLE_OF_CONTENTS = r"""\pagenumbering{roman}%
\begingroup\parskip 0pt\sphinxtableofcontentshook\tableofcontents\endgroup
"""
FRONT_MATTER = ("\\clearpage\\phantomsection\\chapter*{%s}\\addcontentsline{toc}{chapter}{%s}"
                "\\markboth{%s}{%s}\n")
MAIN_MATTER = "\\clearpage\\pagenumbering{arabic}\n"
# Unnumbered chapters and sections from here on; the contents list only the chapters.
BACK_MATTER = "\\setcounter{secnumdepth}{-1}\\addtocontents{toc}{\\protect\\setcounter{tocdepth}{0}}\n"

# The contents are "Contents" (Sphinx names them after the first part's caption); the bibliography is
# a list of author-year entries with a hanging indent, no labels, under the Sources page's own heading.
# \bibitem keeps hyperref's anchor, which the citations in the text link to.
PREAMBLE = r"""
\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}
\makeatletter
\renewenvironment{sphinxthebibliography}[1]{%
  \list{}{\leftmargin 1.5em\itemindent -1.5em\labelwidth\z@\labelsep\z@\itemsep 0.4\baselineskip\parsep\z@}%
  \def\bibitem[##1]##2{\item\hyper@anchorstart{cite.##2}\hyper@anchorend}%
  \sloppy\clubpenalty4000\widowpenalty4000\sfcode`\.\@m}
  {\endlist}
\makeatother
"""


def is_code_to_leave_out(node: nodes.Node) -> bool:
    """A notebook cell that only sets a chapter's parameters."""
    if not isinstance(node, nodes.container) or node.get("nb_element") != "cell_code":
        return False
    tags = (node.get("cell_metadata") or {}).get("tags", [])
    return any(tag in tags for tag in CODE_TAGS)


def is_screen_only(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and SCREEN_ONLY in node.get("classes", [])


def _raw(latex: str) -> nodes.raw:
    return nodes.raw("", latex, format="latex")


class PrintEdition(SphinxPostTransform):
    """Shapes the whole book's doctree, as the LaTeX builder assembles it (once, every page inlined)."""

    formats = ("latex",)
    # after sphinxcontrib-bibtex has made the citations (5), before Sphinx gathers them at the end (750)
    default_priority = 200

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(lambda n: is_code_to_leave_out(n) or is_screen_only(n))):
            node.parent.remove(node)
        pages = list(self.document.findall(addnodes.start_of_file))
        if not pages:
            return  # not the assembled book
        self._introduction()
        back = _unnumbered_pages(self.env)
        main = next((p for p in pages if p["docname"] not in back), None)
        if main is not None:
            main.parent.insert(main.parent.index(main), _raw(MAIN_MATTER))
        first_back = next((p for p in pages if p["docname"] in back), None)
        if first_back is not None:
            first_back.parent.insert(first_back.parent.index(first_back), _raw(BACK_MATTER))
        self._sources_last(pages)

    def _introduction(self) -> None:
        """The root page's own text gets a heading of its own (its title is the book's, on the title page)."""
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is None:
            return
        at = 1 if section.children and isinstance(section[0], nodes.title) else 0
        section.insert(at, _raw(FRONT_MATTER % ((INTRODUCTION,) * 4)))

    def _sources_last(self, pages: list[addnodes.start_of_file]) -> None:
        """The page with the bibliography ends the book, right before the entries Sphinx puts at the end."""
        holding = [p for p in pages if next(iter(p.findall(nodes.citation)), None) is not None]
        if len(holding) != 1:
            return
        page, last = holding[0], pages[-1]
        if page is not last and page not in last.traverse(addnodes.start_of_file):
            page.parent.remove(page)
            last.parent.insert(last.parent.index(last) + 1, page)


def _unnumbered_pages(env) -> set[str]:
    """The pages of every part of the root's table of contents that is not numbered."""
    root = env.get_doctree(env.config.root_doc)
    return {str(doc) for toctree in root.findall(addnodes.toctree) if not toctree.get("numbered")
            for doc in toctree["includefiles"]}


class Div(SphinxDesignDiv):
    """``div``, as sphinx-design has it (classes as its argument), also taking them as the ``:class:``
    option, the one way jupyterlab-myst (mystmd) reads them: a notebook's block is written so both show it.
    """

    option_spec = {**SphinxDesignDiv.option_spec, "class": directives.class_option}

    def run_with_defaults(self) -> list[nodes.Node]:
        result = super().run_with_defaults()
        result[0]["classes"].extend(self.options.get("class", []))
        return result


CITATIONS_CSS = "citations.css"
# An author-year list: each entry begins with what the text cites it by; sphinxcontrib-bibtex's
# numbers beside it would be a second, unused way to refer to it.
CITATIONS_STYLE = """div.citation > span.label { display: none; }
div.citation-list div.citation { display: block; padding-left: 1.5em; text-indent: -1.5em; margin-bottom: 0.5em; }
div.citation-list div.citation > p { margin: 0; }
"""


def _write_citations_css(app) -> None:
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    target = static / CITATIONS_CSS
    if not target.exists() or target.read_text(encoding="utf-8") != CITATIONS_STYLE:
        target.write_text(CITATIONS_STYLE, encoding="utf-8")


def _latex_settings(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["tableofcontents"] = TABLE_OF_CONTENTS
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def setup(app):
    from .references import register_styles

    register_styles()  # the bibliography's and the citations' style, "book" (bibtex_*_style in _config.yml)
    app.connect("config-inited", _latex_settings)
    app.connect("builder-inited", _write_citations_css)
    app.add_css_file(CITATIONS_CSS)
    app.add_directive("div", Div, override=True)
    app.add_post_transform(PrintEdition)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
