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
- **Pages.** Every page carries the edition at its head, a chapter's first page too (the plain style).
- **Tables and figures.** Table cells and captions are set ragged-right (with hyphenation), not justified:
  a narrow column of justified text shows wide gaps. A date, as the data writes it (2018-08-01) or as the
  text prints it (September 2017), never breaks across lines: ``PrintEdition`` sets each one as one
  unbreakable box, in text and tables alike. A long table starts on the next page unless its caption, its
  head and a few rows fit on this one; a table of more than ``PRINT_ROWS`` rows prints its first ones and
  says how many it has (the web edition shows them all). A glossary term's link sets no space before the
  comma after it. A figure stays where the text puts it when it fits there, is scaled down (to no less than
  three quarters) when that makes it fit, and otherwise floats to the top of the next page while the
  text goes on filling this one (a long table's page breaks place it too, so it is not held back behind
  the table); no figure is taller than a page with its caption (``PREAMBLE``).
"""

import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_design.extension import Div as SphinxDesignDiv

from .directory.profile import WEB_ONLY
from .tables import ROW_HEADER
from .text import APOSTROPHE

SCREEN_ONLY = "screen-only"
CODE_TAGS = ("parameters", "injected-parameters")  # papermill's: code that opens a chapter
INTRODUCTION = "Introduction"  # the root page's heading in the PDF (its title is the book's)
# A date as the data writes it: year-month-day or year-month, not inside an id ("falcon-sa-2018-11") or a
# range of years ("2013-2018").
ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")
# A date as the prose and the tables print it: "September 2017", "June 3, 2018" (also in "at least June 2018")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
MONTH_DATE = re.compile(r"\b(?:" + "|".join(MONTHS) + r")(?: \d{1,2},)? \d{4}\b")
DATE = re.compile(f"{ISO_DATE.pattern}|{MONTH_DATE.pattern}")
UNBREAKABLE = r"\mbox{%s}"
RANGE_DASH = r"\textendash\allowbreak{}"
STICKY = "()[],;:.“”‘’\"'"  # marks a line does not break at, before or after a date
WIDE_COLUMN = 20  # characters: a column that can give room to a column of dates
# Text where a date is left as it is: code, mathematics, and section titles (which become PDF bookmarks).
KEEP_AS_WRITTEN = (nodes.FixedTextElement, nodes.literal, nodes.math, nodes.raw, nodes.comment)

# The words at the foot of a page where a long table breaks, and at the head of its next part
# (templates/longtable.tex.jinja): Sphinx's "continues on next page" was untrue where a figure page came between.
TABLE_CONTINUES, TABLE_CONTINUED = "the table continues", "continued"

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
# a list of author-year entries with a hanging indent, no labels, under the Sources page's own heading
# (entries up to 0.2 lines apart, closer where that keeps an entry's last line off a page of its own).
# \bibitem keeps hyperref's anchor, which the citations in the text link to.
PREAMBLE = r"""
\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}
\makeatletter
\renewenvironment{sphinxthebibliography}[1]{%
  \list{}{\leftmargin 1.5em\itemindent -1.5em\labelwidth\z@\labelsep\z@
    \itemsep 0.2\baselineskip minus 0.2\baselineskip\parsep\z@}%
  \def\bibitem[##1]##2{\item\hyper@anchorstart{cite.##2}\hyper@anchorend}%
  \sloppy\clubpenalty\@M\widowpenalty\@M\sfcode`\.\@m}
  {\endlist}
%
% Lists of notes (where the figures come from) may close up the space between their items to end a page
% fuller rather than leave a line or two over for a page of their own ("directly." alone on the last page).
% (\@listI too: \normalsize sets \@listi from it. The class's own list settings are kept once, so that a
% second call does not build on the first.)
\AtBeginDocument{\let\hts@listI\@listI}
\newcommand\htsShrinkableList{%
  \def\@listi{\hts@listI\itemsep 6pt minus 6pt\parsep\z@}\let\@listI\@listi}
%
% Every page carries the edition at its head, as "How to cite" says: the plain style (a chapter's first
% page, the contents) is Sphinx's normal style without the section's name in the foot.
\fancypagestyle{plain}{%
  \fancyhf{}%
  \fancyhead[RO]{{\py@HeaderFamily \@title\sphinxheadercomma\py@release}}%
  \fancyfoot[RO]{{\py@HeaderFamily\thepage}}%
  \renewcommand{\headrulewidth}{0.4pt}%
  \renewcommand{\footrulewidth}{0.4pt}}
%
% A glossary term's link (\sphinxtermref, italic) without the italic correction: behind the link's braces
% the correction cannot see the "," or "." after it, and set a space before them ("HART , which").
\protected\def\sphinxtermref#1{\emph{#1\nocorr}}
% The same for an index entry's words in parentheses ("Automated Biometric Identification System (IDENT)"),
% which the correction set apart from the ")": "(IDENT )".
\def\sphinxstyleindexextra#1{ (\emph{#1\nocorr})}
%
% Captions ragged-right, not justified (a justified caption of two lines shows wide gaps): figures'
% (the class's \@makecaption) and long tables' (longtable's \LT@makecaption), otherwise as they were.
\long\def\@makecaption#1#2{%
  \vskip\abovecaptionskip
  \sbox\@tempboxa{#1: #2}%
  \ifdim \wd\@tempboxa >\hsize {\RaggedRight#1: #2\par}%
  \else \global \@minipagefalse \hb@xt@\hsize{\hfil\box\@tempboxa\hfil}\fi
  \vskip\belowcaptionskip}
\def\LT@makecaption#1#2#3{%
  \LT@mcol\LT@cols c{\hbox to\z@{\hss\parbox[t]\LTcapwidth{%
    \reset@font
    \sbox\@tempboxa{#1{#2: }#3}%
    \ifdim\wd\@tempboxa>\hsize \RaggedRight#1{#2: }#3%
    \else \hbox to\hsize{\hfil\box\@tempboxa\hfil}\fi
    \endgraf\vskip\baselineskip}%
  \hss}}}
%
% A long table starts on the next page unless its caption, its head and a few rows fit on this one: no
% caption or lone row at a page's foot, no page ending with "continues on next page" and no row.
% longtable's own start (\LT@start, as longtable.sty has it) asks for room for the caption, the head, the
% foot and one line of the first row; here also for \hts@tablestart more (or for the whole table, if that
% is less: it needs no foot), and it measures the page as
% what is left below a figure placed at its top (\vsize), not as the goal set before that figure came.
\newdimen\hts@tablestart
\newdimen\hts@wholetable
\AtBeginDocument{\hts@tablestart=6\baselineskip}
\def\LT@start{%
  \let\LT@start\endgraf
  \endgraf\penalty\z@\vskip\LTpre\endgraf
  \ifdim \pagetotal<\pagegoal \else
    \dimen@=\pageshrink
    \advance \dimen@ 1sp %
    \kern\dimen@\penalty 9999\endgraf \kern-\dimen@
  \fi
  \dimen@\pagetotal
  \advance\dimen@ \ht\ifvoid\LT@firsthead\LT@head\else\LT@firsthead\fi
  \advance\dimen@ \dp\ifvoid\LT@firsthead\LT@head\else\LT@firsthead\fi
  \hts@wholetable\dimen@
  \advance\dimen@ \ht\LT@foot
  \edef\LT@reset@vfuzz{\vfuzz\the\vfuzz\vbadness\the\vbadness\relax}%
  \vfuzz\maxdimen
  \vbadness\@M
  \setbox\tw@\copy\z@
  \setbox\tw@\vsplit\tw@ to \ht\@arstrutbox
  \setbox\tw@\vbox{\unvbox\tw@}%
  \LT@reset@vfuzz
  \advance\dimen@ \ht\ifdim\ht\@arstrutbox>\ht\tw@\@arstrutbox\else\tw@\fi
  \advance\dimen@\dp\ifdim\dp\@arstrutbox>\dp\tw@\@arstrutbox\else\tw@\fi
  \advance\dimen@\hts@tablestart
  \advance\hts@wholetable\ht\z@ \advance\hts@wholetable\dp\z@ % or, for a table shorter than that, the whole table
  \ifdim\hts@wholetable<\dimen@ \dimen@\hts@wholetable \fi
  \dimen@ii\pagegoal \ifdim\vsize<\dimen@ii \dimen@ii\vsize \fi
  \advance\dimen@ -\dimen@ii
  \ifdim \dimen@>\z@
    \vfil\break
  \else
    \ifdim\pageshrink>\z@\pageshrink\z@\fi
  \fi
  \global\@colroom\@colht
  \ifvoid\LT@foot\else
    \global\advance\vsize-\ht\LT@foot
    \global\advance\@colroom-\ht\LT@foot
    \dimen@\pagegoal\advance\dimen@-\ht\LT@foot\pagegoal\dimen@
    \maxdepth\z@
  \fi
  \ifvoid\LT@firsthead\copy\LT@head\else\box\LT@firsthead\fi\nobreak
  \output{\LT@output}}
%
% Table cells ragged-right with hyphenation (ragged2e), not justified: Sphinx's column types for tables
% with widths (\X, \Y: every reader table) and for tabulary (T), redefined. A row's end (\\) is the
% table's own (\tabularnewline), not array's \arraybackslash: tabulary (which Sphinx loads) redefines that
% to end rows as a plain tabular does, and a long table's rows were then never counted: longtable did not
% cut it into chunks of \LTchunksize rows but set it whole, and one long enough (1,200 rows) was taller
% than TeX can measure ("Dimension too large"). Chunks of 20 rows (longtable's documented size): with no
% cell over PRINT_CELL_CHARS, a chunk stays far below that limit.
\RequirePackage{ragged2e}
\def\hts@rowend{\let\\\tabularnewline}
\setcounter{LTchunksize}{20}
\newcolumntype{\X}[2]{>{\RaggedRight\hts@rowend}p{\dimexpr
      (\linewidth-\spx@arrayrulewidth)*#1/#2-\tw@\tabcolsep-\spx@arrayrulewidth\relax}}
\newcolumntype{\Y}[1]{>{\RaggedRight\hts@rowend}p{\dimexpr
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
        shortened_cells(self.document)
        without_index_targets(self.document)
        unbreakable_dates(self.document)
        typographic_apostrophes(self.document)
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


PRINT_ROWS = 100  # the most rows a printed table holds: a few pages (the real data's longest table has 60)


class PrintedRows(SphinxTransform):
    """A table of more than PRINT_ROWS rows prints its first PRINT_ROWS and says how many there are and where
    they all are: as with a chart too large to print legibly, pages of thousands of rows serve no reader of
    paper. Cut as a page is read, not as the book is assembled: every later step of the LaTeX build (figure
    numbers, assembling the book, references, LaTeX) walks every row it keeps."""

    default_priority = 900  # after the tables are made, before the page is stored

    def apply(self, **kwargs) -> None:
        if self.app.builder.format != "latex":
            return
        for body in list(self.document.findall(nodes.tbody)):
            if len(body) > PRINT_ROWS:
                printed_rows(body)


def printed_rows(body: nodes.tbody) -> None:
    rows, table = len(body), body.parent.parent  # tbody, tgroup, table
    del body[PRINT_ROWS:]
    note = nodes.paragraph("", "", nodes.emphasis("", f"Printed here: the first {PRINT_ROWS:,} of the table's "
                                                      f"{rows:,} rows. The web edition shows them all, and the "
                                                      "book's data download holds them."))
    table.parent.insert(table.parent.index(table) + 1, note)


PRINT_CELL_CHARS = 1500  # about a third of a page in a narrow column


def shortened_cells(document: nodes.Node) -> None:
    """A table cell longer than PRINT_CELL_CHARS prints its start and says where the rest is. A row of a long
    table cannot break across pages: with data many times as long (one subject's ties in one cell), a row
    taller than a page ran off it, and one taller than TeX can measure stopped the PDF. The web edition's
    cell is whole."""
    for entry in list(document.findall(nodes.entry)):
        text = entry.astext()
        if len(text) <= PRINT_CELL_CHARS:
            continue
        kept = text[:PRINT_CELL_CHARS].rsplit(" ", 1)[0]
        entry.children = []
        entry += nodes.paragraph("", "", nodes.Text(f"{kept} …"), nodes.emphasis(
            "", f"(printed in part: {len(text) - len(kept):,} more characters in the web edition and the data "
            "download)"))


def unbreakable_dates(document: nodes.Node) -> None:
    """Each date in the text becomes one unbreakable box in LaTeX ("2018-08-01" is never set as "2018-" at
    a line's end and "08-01" on the next, nor "September 2017" as "September" and "2017", nor is "December"
    hyphenated): the one place where the PDF's dates are written. A
    table column holding dates is made at least as wide as its longest date (the widths in ``:widths:``,
    from ``tables.column_widths``, count characters and let a date break at its hyphens)."""
    for tgroup in document.findall(nodes.tgroup):
        columns = [c for c in tgroup.children if isinstance(c, nodes.colspec)]
        for row in tgroup.findall(nodes.row):
            for column, entry in zip(columns, row.children, strict=False):
                dates = [_unbreakable_width(entry.astext(), m) for m in DATE.finditer(entry.astext())]
                if dates and "colwidth" in column and max(dates) + 2 > column["colwidth"]:
                    _widen(column, max(dates) + 2, columns)
    for text in list(document.findall(nodes.Text)):
        parent = text.parent
        if not isinstance(parent, nodes.TextElement) or not DATE.search(text) or _kept_as_written(text):
            continue
        pieces, at = [], 0
        for match in DATE.finditer(text):
            between = text[at:match.start()]
            # a range of dates may break after its dash ("June 2018–" / "May 2019")
            pieces += [_raw(RANGE_DASH) if between == "–" else nodes.Text(between), _raw(UNBREAKABLE % match.group())]
            at = match.end()
        pieces.append(nodes.Text(text[at:]))
        parent.replace(text, [piece for piece in pieces if piece.astext()])


def _index_target(target: nodes.target) -> bool:
    """An index entry's target: its id, or the id it passed on to the node after it (docutils'
    PropagateTargets), is "index-…", and it names and links nothing."""
    ids = [*target["ids"], *([target["refid"]] if target.get("refid") else [])]
    return bool(ids) and all(i.startswith("index-") for i in ids) and not any(
        target.get(k) for k in ("refuri", "refname", "names"))


def without_index_targets(document: nodes.Node) -> None:
    """The targets Sphinx makes for index entries ("index-12"), which print nothing (LaTeX indexes with
    \\index, at the entry itself), are left out: for each one Sphinx's LaTeX writer looks for the node after
    it through its parent's list of children, and the directory's index page holds one per entity, side by
    side, so that search grew with the square of the entities (three minutes of the PDF at 50 times the data)."""
    doomed = [t for t in document.findall(nodes.target) if _index_target(t)]
    gone = {id(t) for t in doomed}
    for parent in {id(t.parent): t.parent for t in doomed}.values():  # each parent's children once
        parent.children = [c for c in parent.children if id(c) not in gone]


def typographic_apostrophes(document: nodes.Node) -> None:
    """An apostrophe inside a word is printed as one (’), in the text, the tables, the list of sources and
    the index alike: the data and the sources' titles type it straight ("Who's Behind ICE?"). Code and
    raw LaTeX are left as written, and so are a table's row ids, which a reader looks up in data/."""
    ids = {id(t) for entry in _row_id_entries(document) for t in entry.findall(nodes.Text)}
    for text in list(document.findall(nodes.Text)):
        if APOSTROPHE.search(text) and id(text) not in ids and not _kept_as_written(text):
            text.parent.replace(text, nodes.Text(APOSTROPHE.sub("’", text)))
    for index in document.findall(addnodes.index):
        index["entries"] = [(kind, APOSTROPHE.sub("’", value), *rest) for kind, value, *rest in index["entries"]]


def _row_id_entries(document: nodes.Node):
    """The cells of every table column headed as the rows' own ids (``tables.ROW_HEADER``)."""
    for tgroup in document.findall(nodes.tgroup):
        head = next(iter(tgroup.findall(nodes.thead)), None)
        headers = [entry.astext().strip() for entry in next(iter(head.findall(nodes.row))).children] if head else []
        if ROW_HEADER in headers:
            at = headers.index(ROW_HEADER)
            for body in tgroup.findall(nodes.tbody):
                yield from (row.children[at] for row in body.children if len(row.children) > at)


def _unbreakable_width(text: str, date: re.Match) -> int:
    """The characters of a date with the marks that stick to it: "(November 2018)," does not break at its
    brackets."""
    start, end = date.span()
    while start > 0 and text[start - 1] in STICKY:
        start -= 1
    while end < len(text) and text[end] in STICKY:
        end += 1
    return end - start


def _widen(column: nodes.colspec, width: int, columns: list[nodes.colspec]) -> None:
    """The column made ``width`` wide; the room comes from the table's widest other column if that stays
    wide (so that a narrow column, "no.", keeps its share), else the table's widths grow."""
    grow, column["colwidth"] = width - column["colwidth"], width
    widest = max((c for c in columns if c is not column), key=lambda c: c.get("colwidth", 0), default=None)
    if widest is not None and widest.get("colwidth", 0) - grow >= WIDE_COLUMN:
        widest["colwidth"] -= grow


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


WEB_ONLY_PATTERNS = [f"{folder}**" for folder in WEB_ONLY]


def _leave_out_web_pages(app) -> None:
    """The PDF's build does not read the profiles' folders (the web edition's only: the directory appendix
    stands for them), nor the page Sphinx builds for them there."""
    if app.builder.format == "latex":
        app.config.exclude_patterns = [*app.config.exclude_patterns, *WEB_ONLY_PATTERNS]


def _restore_patterns(app, env) -> None:
    """The project's own patterns again once the sources are read, before Sphinx saves its environment: saved
    with the PDF's, the next build found its settings changed and read every page again."""
    if app.builder.format == "latex":
        app.config.exclude_patterns = [p for p in app.config.exclude_patterns if p not in WEB_ONLY_PATTERNS]


WRITTEN = ".written"  # in the LaTeX folder: the last write of book.tex finished


def _page_read(app, env, docname: str) -> None:
    """A page is read again, or dropped (Sphinx purges both): the LaTeX must be written again."""
    app.print_pages_read = True


def _keep_unchanged_latex(app, env) -> None:
    """When no page was read again, the doctrees, settings and code (a change of code is one of settings,
    ``sphinx_ext._code_version``) are those of the last write, so its LaTeX would come out the same: keep it
    rather than write it again (at 50 times the data, half a minute after a row that no page shows changed).
    Only when the last write finished: one that was stopped left no stamp."""
    if app.builder.format != "latex":
        return
    stamp = Path(app.outdir) / WRITTEN
    if getattr(app, "print_pages_read", False) or not stamp.is_file():
        stamp.unlink(missing_ok=True)  # from here until the write has finished, the LaTeX may be half written
        return
    app.builder.write = lambda *args, **kwargs: None


def _stamp_written(app, exception) -> None:
    if app.builder.format == "latex" and exception is None:
        (Path(app.outdir) / WRITTEN).write_text("", encoding="utf-8")


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
    app.connect("builder-inited", _leave_out_web_pages)
    app.connect("env-updated", _restore_patterns)
    app.connect("env-purge-doc", _page_read)
    app.connect("env-updated", _keep_unchanged_latex)
    app.connect("build-finished", _stamp_written)
    app.add_css_file(CITATIONS_CSS)
    app.add_directive("div", Div, override=True)
    app.add_post_transform(PrintEdition)
    app.add_transform(PrintedRows)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
