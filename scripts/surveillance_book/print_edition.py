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
- **Tables and figures.** Table cells are set ragged-right (with hyphenation), not justified: a narrow
  column of justified text shows wide gaps. A date written as the data writes it (2018-08-01) never
  breaks across lines: ``PrintEdition`` sets each one as one unbreakable box, in text and tables alike. A
  figure stays where the text puts it when it fits there, is scaled down (to no less than
  three quarters) when that makes it fit, and otherwise floats to the top of the next page while the
  text goes on filling this one (a long table's page breaks place it too, so it is not held back behind
  the table); no figure is taller than a page with its caption (``PREAMBLE``).
"""

import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_design.extension import Div as SphinxDesignDiv

SCREEN_ONLY = "screen-only"
CODE_TAGS = ("parameters", "injected-parameters")  # papermill's: code that opens a chapter
INTRODUCTION = "Introduction"  # the root page's heading in the PDF (its title is the book's)
# A date as the data writes it: year-month-day or year-month, not inside an id ("falcon-sa-2018-11") or a
# range of years ("2013-2018").
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")
UNBREAKABLE = r"\mbox{%s}"
# Text where a date is left as it is: code, mathematics, and section titles (which become PDF bookmarks).
KEEP_AS_WRITTEN = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.raw, nodes.comment)

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
%
% Table cells ragged-right with hyphenation (ragged2e), not justified: Sphinx's column types for tables
% with widths (\X, \Y: every reader table) and for tabulary (T), redefined.
\RequirePackage{ragged2e}
\newcolumntype{\X}[2]{>{\RaggedRight\arraybackslash}p{\dimexpr
      (\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\newcolumntype{\Y}[1]{>{\RaggedRight\arraybackslash}p{\dimexpr
      #1\dimexpr\linewidth-\spx@arrayrulewidth\relax-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\newcolumntype{T}{L}
%
% Figures (figure_align: H in _config.yml, float.sty's "here"). At \begin{figure} the room left on the
% page is measured; the chart is drawn as large as Sphinx would draw it if that fits there with its
% caption, scaled down to fit if it keeps at least \hts@minscale of its size, else the figure becomes
% a float for the top of the next page and the text after it fills this page (no near-empty page). A
% figure whose caption turns out longer than the room kept for it floats too; once a figure floats, the
% figures after it float as well until it is placed, so that they keep their order.
\newdimen\hts@room
\newbox\hts@figure
\newif\ifhts@float
\newcommand*\hts@captionroom{4\baselineskip}
\newcommand*\hts@minscale{.75}
\renewcommand{\topfraction}{.9}
\renewcommand{\bottomfraction}{.5}
\renewcommand{\textfraction}{.1}
\renewcommand{\floatpagefraction}{.8}
\setlength{\@fptop}{\z@}% a page of figures starts at the top, like any other page
\setcounter{topnumber}{1}% one figure at a page's top: the room below it is the room for text
% longtable measures a page as if it held no figure at its top: after a table, LaTeX's measure of the
% room for text is the page's own again, or a figure arriving there would be put on a full page
\AddToHook{env/longtable/after}{\global\@colroom\vsize}
\let\hts@float@HH\@float@HH
\def\@float@HH#1[H]{%
  \ifdim\pagegoal=\maxdimen \global\hts@room\textheight
  \else \global\hts@room\dimexpr\pagegoal-\pagetotal-\pagedepth\relax \fi
  \global\hts@floatfalse
  \ifx\@deferlist\@empty\else\global\hts@floattrue\fi
  \ifx\@currlist\@empty\else\global\hts@floattrue\fi
  \hts@float@HH{#1}[H]\let\sphinxincludegraphics\hts@includegraphics}
\newcommand*\hts@includegraphics[2][]{%
  % the height Sphinx would draw the image at: the page's width, at most \spx@image@maxheight
  \setbox\hts@figure\hbox{\includegraphics[#1,draft]{#2}}%
  \dimen@\ht\hts@figure
  \ifdim\wd\hts@figure>\linewidth
    \dimen@\the\numexpr\ht\hts@figure*\linewidth/\wd\hts@figure\relax sp\fi
  \ifdim\dimen@>\spx@image@maxheight \dimen@\spx@image@maxheight \fi
  \setbox\hts@figure\box\voidb@x
  \ifhts@float \dimen@ii\dimexpr\textheight-\hts@captionroom\relax
  \else \dimen@ii\dimexpr\hts@room-\hts@captionroom\relax \fi
  \ifdim\dimen@>\dimen@ii
    \ifdim\dimen@ii<\hts@minscale\dimen@ \global\hts@floattrue
      \dimen@ii\dimexpr\textheight-\hts@captionroom\relax \fi
    \ifdim\dimen@ii<\spx@image@maxheight \spx@image@maxheight\dimen@ii \fi
  \fi
  \sphinxsafeincludegraphics[#1]{#2}}
% Longtable's page breaks place the floats waiting for a page (at its top, or as a page of floats), as
% LaTeX's own page breaks do: a figure that floated is not held back behind the long tables after it.
\def\hts@placefloats{%
  \global\@mparbottom\z@ \global\@textfloatsheight\z@
  \@floatplacement\@startcolumn
  \@whilesw\if@fcolmade\fi{\@outputpage\global\@textfloatsheight\z@\@floatplacement\@startcolumn}%
  \ifvoid\LT@foot\else\global\advance\@colroom-\ht\LT@foot\fi}% the room longtable keeps for its foot
\def\LT@output{%
  \ifnum\outputpenalty <-\@Mi
    \ifnum\outputpenalty > -\LT@end@pen
      \LT@err{floats and marginpars not allowed in a longtable}\@ehc
    \else
      \setbox\z@\vbox{\unvbox\@cclv}%
      \ifdim \ht\LT@lastfoot>\ht\LT@foot
        \dimen@\pagegoal
        \advance\dimen@\ht\LT@foot
        \advance\dimen@-\ht\LT@lastfoot
        \ifdim\dimen@<\ht\z@
          \setbox\@cclv\vbox{\unvbox\z@\copy\LT@foot\vss}%
          \@makecol
          \@outputpage
          \hts@placefloats
          \global\vsize\@colroom
          \setbox\z@\vbox{\box\LT@head}%
        \fi
      \fi
        \unvbox\z@\box\ifvoid\LT@lastfoot\LT@foot\else\LT@lastfoot\fi
    \fi
  \else
    \setbox\@cclv\vbox{\unvbox\@cclv\copy\LT@foot\vss}%
    \@makecol
    \@outputpage
    \hts@placefloats
      \global\vsize\@colroom
    \copy\LT@head\nobreak
  \fi}
\def\float@endH{\@endfloatbox
  \ifdim\dimexpr\ht\@currbox+\dp\@currbox+\intextsep\relax>\hts@room \global\hts@floattrue \fi
  \ifhts@float
    \global\setbox\hts@figure\box\@currbox
    \expandafter\@float\expandafter{\@captype}[tp]\box\hts@figure\end@float
  \else
    \vskip\intextsep\box\@currbox\vskip\intextsep\relax
  \fi}
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
        unbreakable_dates(self.document)
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


def unbreakable_dates(document: nodes.Node) -> None:
    """Each ISO date in the text becomes one unbreakable box in LaTeX ("2018-08-01" is never set as
    "2018-" at a line's end and "08-01" on the next): the one place where the PDF's dates are written. A
    table column holding dates is made at least as wide as its longest date (the widths in ``:widths:``,
    from ``tables.column_widths``, count characters and let a date break at its hyphens)."""
    for tgroup in document.findall(nodes.tgroup):
        columns = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
        for row in tgroup.findall(nodes.row):
            for column, entry in zip(columns, row.children, strict=False):
                dates = [len(m.group()) for m in ISO_DATE.finditer(entry.astext())]
                if dates and "colwidth" in column:
                    column["colwidth"] = max(column["colwidth"], max(dates) + 2)
    for text in list(document.findall(nodes.Text)):
        parent = text.parent
        if not isinstance(parent, nodes.TextElement) or not ISO_DATE.search(text) or _kept_as_written(text):
            continue
        pieces, at = [], 0
        for match in ISO_DATE.finditer(text):
            pieces += [nodes.Text(text[at:match.start()]), _raw(UNBREAKABLE % match.group())]
            at = match.end()
        pieces.append(nodes.Text(text[at:]))
        parent.replace(text, [piece for piece in pieces if piece.astext()])


def _kept_as_written(node: nodes.Node) -> bool:
    while node is not None:
        section_title = isinstance(node, nodes.title) and isinstance(node.parent, nodes.section)
        if section_title or isinstance(node, KEEP_AS_WRITTEN):
            return True
        node = node.parent
    return False


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
