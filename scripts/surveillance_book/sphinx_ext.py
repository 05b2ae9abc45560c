"""Sphinx extension of the book (listed in _config.yml).

- Sets the edition (version, release date, footer, PDF metadata) from CITATION.cff,
  the one place it is written, and shows the data package's own version beside it.
- Provides the ``edition-citation`` directive (BibTeX, APA, plain) for the how-to-cite page
  and ``data-changes`` (rows changed since the previous edition) for the changes page.
- Generates the bibliography from ``data/sources.csv``.
- Writes the Vega + Vega-Lite + Vega-Embed bundle from the installed vl-convert
  package into the HTML build's ``_static`` so charts draw without any CDN.
- Writes the claims register (``claims.csv``: every printed figure, its rows and sources) into the build.
- Puts the whole data package, zipped, in every build, linked from every page's footer.
- Draws charts in HTML from the Vega-Lite spec each notebook stores once (a myst-nb mime
  renderer, registered as an entry point in pyproject.toml); LaTeX takes the stored PNG.
- Drops sphinx-thebe's scripts (no live kernels here).
- Marks each figure the prose prints with where it comes from (``claim_notes``).
- Resolves ``{eval}`prose.KEY``` from the glue stored in the notebook, as ``{glue:text}`KEY``` does:
  the same role that jupyterlab-myst evaluates against the live kernel (``prose = book.prose``).
"""

import html
import json
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import glue_warning
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.osutil import relative_uri

from . import claim_notes
from . import edition as editions
from .charts import VEGALITE_MIME, chart_html
from .data import package
from .directory.first_use import FirstUse, write_words
from .directory.profile import PREFIX, WEB_ONLY
from .directory.publish import publish
from .paths import DATA_DIR, package_digest

BUNDLE = "vega-bundle.js"


def _set_edition(app, config) -> None:
    ed = editions.edition()
    data_version = package()["version"]
    config.version = config.release = ed.version
    config.today = f"{ed.released:%-d %B %Y}"  # the edition's date on the PDF title page, not the build day
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = (f'<p class="edition">Edition {html.escape(ed.version)} ({config.today}) · '
                               f"data package version {html.escape(data_version)} · {{data_link}}</p>")
    config.html_theme_options = options
    # {{ edition }} and {{ data_version }} in any page
    config.myst_substitutions = {**(config.myst_substitutions or {}), "edition": ed.version,
                                 "data_version": data_version}
    elements = dict(config.latex_elements or {})
    elements["releasename"] = "Edition"
    elements["preamble"] = elements.get("preamble", "") + (
        "\\hypersetup{pdfsubject={Edition " + ed.version + ", " + config.today + "},"
        " pdfkeywords={edition " + ed.version + "; data package " + data_version + "}}\n")
    config.latex_elements = elements


class EditionCitation(Directive):
    """``{edition-citation} bibtex|apa|plain``: the citation of the edition being built."""

    required_arguments = 1

    def run(self):
        ed = editions.edition()
        style = self.arguments[0]
        if style == "bibtex":
            return [nodes.literal_block(text=editions.bibtex(ed), language="bibtex")]
        if style in ("apa", "plain"):
            text = editions.apa(ed) if style == "apa" else editions.plain(ed)
            return [nodes.paragraph(text=text.replace("*", ""))]
        raise self.error(f"unknown citation style {style!r}: use bibtex, apa or plain")


def _table(header: list[str], rows: list[list[str]]) -> nodes.table:
    """A plain docutils table, rendered by both the HTML and the LaTeX builders."""
    group = nodes.tgroup(cols=len(header))
    group += [nodes.colspec(colwidth=1) for _ in header]
    head, body = nodes.thead(), nodes.tbody()
    for target, cells in ((head, [header]), (body, rows)):
        for cells_of_row in cells:
            row = nodes.row()
            for cell in cells_of_row:
                row += nodes.entry("", nodes.paragraph(text=str(cell)))
            target += row
    group += [head, body]
    return nodes.table("", group)


class DataChanges(Directive):
    """``{data-changes}``: rows of data/ added, removed and changed since the previous edition's tag."""

    def run(self):
        from . import changes

        env = self.state.document.settings.env
        ed = editions.edition()
        tag = changes.previous_tag(ed.version)
        if tag is None:  # the same words whatever the rows: a changed row need not read this page again
            return [nodes.paragraph(text=f"Edition {ed.version} is the first edition of the data: "
                                         "there is no earlier edition to compare it with.")]
        for res in package()["resources"]:
            env.note_dependency(str(DATA_DIR / res["path"]))  # re-read this page when the data change
        result = changes.changes_since(tag)
        out = [nodes.paragraph(text=f"Compared with edition {tag.removeprefix('v')} (git tag {tag}), "
                                    f"these rows of the data changed in edition {ed.version}:"),
               _table(["table", "rows added", "rows removed", "rows changed"],
                      [[c.table, c.added, c.removed, c.changed] for c in result])]
        for change in (c for c in result if c.any):
            out.append(nodes.rubric(text=f"{change.table}.csv"))
            out.append(nodes.raw("", changes.html_table(change), format="html"))
            ids = ", ".join(row[1] for row in change.rows[1:])
            out.append(addnodes.only("", nodes.paragraph(text=f"Rows: {ids}."), expr="latex"))
        return out + _claim_changes(env, tag)


def _claim_changes(env, tag: str) -> list[nodes.Node]:
    """The figures printed in the prose whose text differs from the previous edition's."""
    from . import claims
    from .execute import notebooks

    for path in notebooks():
        env.note_dependency(str(path))
    moved = claims.changed(claims.at_tag(tag, notebooks()), [claims.read(p) for p in notebooks()])
    out = [nodes.rubric(text="Figures in the prose")]
    if not moved:
        return out + [nodes.paragraph(text=f"No figure printed in the prose reads differently from edition "
                                           f"{tag.removeprefix('v')}.")]
    rows = [[chapter, key, before or "(not printed)", now or "(not printed)"] for chapter, key, before, now in moved]
    return out + [nodes.paragraph(text=f"These figures printed in the prose read differently from edition "
                                       f"{tag.removeprefix('v')} (chapter notebook and glue key; "
                                       "claims.csv has their rows and sources):"),
                  _table(["chapter", "key", "before", "now"], rows)]


def _write_bibliography(app, config) -> None:
    """Generate the BibTeX file from the sources table, rewritten only when it changed, and register
    the style that prints it."""
    from pybtex.plugin import register_plugin

    from .references import STYLE, BookStyle, bibtex

    register_plugin("pybtex.style.formatting", STYLE, BookStyle, force=True)

    target = Path(app.doctreedir).parent / "generated" / "references.bib"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = bibtex()
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    # relative to the sources, as sphinxcontrib-bibtex reads it: Sphinx hashes this setting into
    # .buildinfo, so an absolute path would make two clones' HTML differ
    config.bibtex_bibfiles = [os.path.relpath(target, app.confdir)]


def _write_vega_bundle(app) -> None:
    if app.builder.format != "html":
        return
    import vl_convert

    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    target = static / BUNDLE
    stamp = static / (BUNDLE + ".version")
    version = getattr(vl_convert, "__version__", "unknown") + " classic"  # how it is wrapped counts too
    if target.exists() and stamp.exists() and stamp.read_text() == version:
        return  # bundling takes ~1.5 s; skip it when the installed version is unchanged
    # A classic script, not a module: browsers refuse module scripts from file:// (CORS), and the book
    # must draw its charts opened from disk. Wrapped in a function so its top-level names stay its own;
    # it publishes window.vegaEmbed.
    target.write_text("(function () {\n" + vl_convert.javascript_bundle() + "\n})();\n", encoding="utf-8")
    stamp.write_text(version)


def _data_zip_name() -> str:
    return f"high-tech-surveillance-data-{package()['version']}.zip"


def _link_data_download(app, pagename, templatename, context, doctree) -> None:
    """Every page's footer links to the whole data package, relative to that page."""
    href = context["pathto"](f"_static/{_data_zip_name()}", 1)
    link = f'<a href="{html.escape(href)}">download the data package (zip)</a>'
    context["theme_extra_footer"] = context.get("theme_extra_footer", "").replace("{data_link}", link)


def _write_data_zip(app, exception) -> None:
    """Zip the data package into the HTML build, byte-identical for identical data (fixed timestamps,
    sorted names): exactly the files it lists, so nothing else left in data/ is published, with the
    licence, the citation and a README of its own (``data_zip``): the zip stands on its own."""
    if exception or app.builder.format != "html":
        return
    from .data_zip import write_data_zip

    write_data_zip(Path(app.outdir) / "_static" / _data_zip_name(), "data")


# Theme files copied into _static that are Jinja templates, not pages: never rendered, never linked.
THEME_TEMPLATES = ("webpack-macros.html", "sbt-webpack-macros.html")


def _drop_theme_templates(app, exception) -> None:
    """Remove the unrendered template files the themes leave in the HTML build's ``_static``."""
    if exception or app.builder.format != "html":
        return
    for name in THEME_TEMPLATES:
        (Path(app.outdir) / "_static" / name).unlink(missing_ok=True)


def _write_claims(app, exception) -> None:
    """The claims register of the edition beside the pages (the notes link it; the build copies it out)."""
    if exception or app.builder.format != "html":
        return
    from .claim_notes import facts
    from .claims import REGISTER_NAME, register
    from .execute import notebooks

    target = Path(app.outdir) / "_static" / REGISTER_NAME
    target.write_text(register(notebooks(), editions.edition().version, facts()), encoding="utf-8")


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts: the book has no live kernels, and Jupyter Book adds
    its inline config twice, a SyntaxError in every page's console."""

    def is_thebe(script) -> bool:
        body = getattr(script, "attributes", {}).get("body", "")
        return "thebe" in str(getattr(script, "filename", "") or "") or "THEBE" in body

    context["script_files"] = [s for s in context.get("script_files", []) if not is_thebe(s)]


class ProseRole(PasteTextRole):
    """``{eval}`prose.KEY```: in JupyterLab, jupyterlab-myst evaluates it in the kernel, where
    ``prose = book.prose`` gives the glued phrase; here it is the phrase glued as KEY, pasted exactly as
    ``{glue:text}`KEY``` pastes it (execution is off, so there is no kernel to ask)."""

    PATTERN = re.compile(r"prose\.([A-Za-z_][A-Za-z0-9_]*)")

    def run(self):
        match = self.PATTERN.fullmatch(self.text.strip())
        if match is None:
            message = (f"{{eval}}`{self.text}` is not a glued phrase: in the book, {{eval}} takes only "
                       "prose.KEY (the phrase that book.glue glued as KEY)")
            return [], [glue_warning(message, self.document, self.line)]
        self.text = match.group(1)
        pasted, messages = super().run()
        return claim_notes.wrap(pasted, self.text, self.document), messages


class VegaLiteHTML:
    """myst-nb mime renderer: in HTML builds a chart's stored Vega-Lite spec becomes the markup that
    draws it with the local bundle. Other builders never pick this type (the PDF gets the PNG)."""

    mime_priority_overrides = [(builder, VEGALITE_MIME, 5) for builder in ("html", "dirhtml", "singlehtml")]

    @staticmethod
    def handle_mime(renderer, data, inline: bool):
        if inline or data.mime_type != VEGALITE_MIME:
            return None
        spec = data.content if isinstance(data.content, dict) else json.loads(data.content)
        return [nodes.raw("", chart_html(spec), format="html", classes=["output", "text_html"])]


def _code_version(app, config) -> None:
    """A config value that changes with the package's code: Sphinx then rebuilds every page, so a change
    in how pages are made (this extension, the chart markup) never leaves old pages in an incremental build."""
    config.surveillance_book_code = package_digest()


class ProfileLinks(SphinxPostTransform):
    """A link to a profile (``[Palantir](/book/directory/org/palantir.md)``: the directory's index, the
    glossary) names a page Sphinx does not build (``directory.publish`` writes it): on the web a link to
    that page; in print, where the directory appendix stands for the profiles, its text. Before MyST's
    reference resolver would look for the document."""

    default_priority = 5  # MyST's resolver is 9

    def run(self, **kwargs) -> None:
        web = self.app.builder.format == "html"
        here = self.app.builder.get_target_uri(self.env.docname) if web else ""
        for node in list(self.document.findall(addnodes.pending_xref)):
            # MyST's reference to a file it did not find: "/book/directory/org/palantir.md"
            target = str(node.get("reftarget", "")).lstrip("/").removesuffix(".md")
            if node.get("reftype") != "myst" or not target.startswith(WEB_ONLY):
                continue
            words = node.children[0].deepcopy() if node.children else nodes.Text("")
            if web:
                uri = relative_uri(here, target + ".html")
                node.replace_self(nodes.reference("", "", words, internal=True, refuri=uri))
            else:
                node.replace_self(words)


def _publish_profiles(app, exception) -> None:
    """The directory's profiles, written into the page Sphinx built for them (``directory.publish``)."""
    if exception is None and app.builder.format == "html":
        publish(Path(app.outdir), Path(app.srcdir) / PREFIX)


def setup(app):
    app.add_config_value("surveillance_book_code", "", "env")
    app.connect("config-inited", _code_version)
    app.connect("config-inited", _set_edition)
    app.connect("config-inited", _write_bibliography)
    app.connect("builder-inited", _write_vega_bundle)
    app.connect("builder-inited", write_words)
    app.connect("html-page-context", _drop_thebe)
    app.connect("html-page-context", _link_data_download)
    app.connect("build-finished", _write_data_zip)
    app.connect("build-finished", _drop_theme_templates)
    app.connect("build-finished", _write_claims)
    app.connect("build-finished", _publish_profiles)
    app.add_directive("edition-citation", EditionCitation)
    app.add_directive("data-changes", DataChanges)
    app.add_role("eval", ProseRole(), override=True)  # after myst-nb, which registers its own eval role
    claim_notes.setup(app)
    app.add_transform(FirstUse)  # a chapter's first use of a glossary term links to it
    app.add_post_transform(ProfileLinks)
    app.add_js_file(BUNDLE)
    app.add_css_file("book.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
