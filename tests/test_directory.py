"""The directory (issue 12): a profile for every organization and system, stable addresses, links from
the chapters, a glossary and an index, in HTML and PDF; unsafe or clashing ids refused; incremental."""

import csv
import json
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest
from browser import Browser
from bs4 import BeautifulSoup
from csv_rows import set_row
from pypdf import PdfReader
from test_book_output import serve

from surveillance_book import directory
from surveillance_book.build import PDF_NAME
from surveillance_book.chapter import BOOK_AS_OF, Chapter
from surveillance_book.directory.entities import entities
from surveillance_book.execute import notebooks
from surveillance_book.paths import DATA_DIR
from surveillance_book.validate import validate

EVERYONE = entities(Chapter("overview", as_of=BOOK_AS_OF))


def _as_written(text: str) -> str:
    """Sphinx prints straight quotes as typographic ones."""
    return text.translate(str.maketrans("‘’“”", "''\"\""))


def _soup(path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_chapters_default_to_the_books_date():
    for path in notebooks():
        source = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][1]["source"])
        assert f'as_of = "{BOOK_AS_OF}"' in source, path.name


def test_every_organization_and_system_has_a_profile(built_book):
    html = built_book / "html" / "book" / "directory"
    assert {e.table for e in EVERYONE} == {"organizations", "systems"}
    for entity in EVERYONE:
        page = html / f"{entity.address}.html"
        assert page.is_file(), entity.address
        title = _as_written(_soup(page).find("h1").get_text()).strip().rstrip("¶#").strip()
        assert title == entity.label, entity.address


def test_a_profile_is_a_page_of_the_book_like_the_others(built_book):
    """publish.py writes each profile into the one page Sphinx built for them: the page's title, its
    contents (an entry per section), the book's navigation, its citations as the chapters cite (linking
    the list of sources), no page source to download (it has none), and nothing of the shell itself."""
    page = built_book / "html" / "book" / "directory" / "org" / "palantir.html"
    soup, text = _soup(page), page.read_text(encoding="utf-8")
    assert soup.title.get_text().startswith("Palantir — ")
    sections = [s["id"] for s in soup.select("article section > section")]
    assert {"what-it-is", "ties", "sources"} <= set(sections)
    assert [a["href"] for a in soup.select("#pst-secondary-sidebar a.nav-link")] == [f"#{s}" for s in sections]
    assert "../../../notebooks/overview.html" in {a["href"] for a in soup.select("nav.bd-docs-nav a")}
    assert "../../references.html#cite-afsc-2019" in {a["href"] for a in soup.select("section#sources a")}
    assert "_sources/" not in text and "profile-shell" not in text and "profile_shell" not in text


def _local_links(page):
    for a in _soup(page).select("a[href]"):
        href = a["href"]
        if not re.match(r"[a-z]+:", href) and not href.startswith("#"):
            yield href


def _pages(built_book):
    html = built_book / "html"
    return [*sorted((html / "book" / "directory").rglob("*.html")), *sorted((html / "notebooks").glob("*.html"))]


def test_every_link_of_the_directory_and_the_chapters_resolves(built_book):
    broken, checked = [], 0
    for page in _pages(built_book):
        for href in _local_links(page):
            path, _, fragment = urllib.parse.unquote(href).partition("#")
            target = (page.parent / path).resolve()
            checked += 1
            if not target.is_file():
                broken.append(f"{page.name}: {href}")
            elif fragment and target.suffix == ".html" and not _soup(target).find(id=fragment):
                broken.append(f"{page.name}: {href} (no #{fragment})")
    assert checked > len(EVERYONE) and not broken, broken[:10]


def test_the_index_lists_every_entity_and_every_profile_is_reachable_from_it(built_book):
    index = built_book / "html" / "book" / "directory" / "index.html"
    linked = {(index.parent / h).resolve() for h in _local_links(index)}
    for entity in EVERYONE:
        assert (index.parent / f"{entity.address}.html").resolve() in linked, entity.address


def test_chapter_tables_link_names_to_profiles(built_book):
    cloud = _soup(built_book / "html" / "notebooks" / "cloud.html")
    links = {a["href"] for a in cloud.select("table a[href]")}
    assert "../book/directory/org/amazon.html" in links


def test_the_overviews_headline_names_link_to_their_profiles(built_book):
    overview = _soup(built_book / "html" / "notebooks" / "overview.html")
    bold = {strong.get_text(strip=True): strong.parent["href"] for strong in overview.select("a[href] > strong")}
    assert {"IDENT", "HART", "Palantir", "Amazon", "CLEAR", "Giant Oak"} <= set(bold), bold
    assert bold["IDENT"] == "../book/directory/system/ident.html"
    assert bold["Palantir"] == "../book/directory/org/palantir.html"
    assert not [s for s in overview.select("strong") if s.get_text(strip=True) in bold and s.parent.name != "a"]


def test_each_chapter_links_a_glossary_term_once_at_its_first_use(built_book):
    glossary = _soup(built_book / "html" / "book" / "directory" / "glossary.html")
    terms = {dt.get_text(strip=True).rstrip("¶#").casefold() for dt in glossary.select("dt")}
    for entity in EVERYONE:
        if entity.short and entity.short != entity.name:
            assert entity.short.casefold() in terms, entity.short
    for path in (built_book / "html" / "notebooks").glob("*.html"):
        linked = [a.get_text().casefold() for a in _soup(path).select("a.reference span.std-term, a span.std-term")]
        assert linked, f"{path.name}: no glossary term linked"
        assert len(linked) == len(set(linked)), f"{path.name}: a term linked twice"


def test_the_pdf_has_the_directory_glossary_and_index(built_book):
    text = "\n".join(p.extract_text() for p in PdfReader(built_book / "pdf" / PDF_NAME).pages)
    assert "Every organization and every system" in re.sub(r"\s+", " ", text)
    assert re.search(r"G\s*L\s*O\s*S\s*S\s*A\s*R\s*Y|Glossary", text)
    assert re.search(r"I\s*N\s*D\s*E\s*X", text)
    assert "Palantir" in text[text.rfind("NDEX"):]  # an index entry after the index heading


def test_sphinx_reads_no_profile_page(built_book):
    """Sphinx spent most of the web edition's build on the profiles (5,000 pages at 50 times the data): it
    now reads one page for them all in the HTML build (the shell publish.py fills) and none in the PDF's,
    where the appendix's names are text, not links to pages the PDF has not got."""
    doctrees = built_book / ".work" / "{}" / "_build" / ".doctrees" / "book" / "directory"
    html_docs = sorted(p.name for p in Path(str(doctrees).format("html")).glob("*/*.doctree"))
    assert html_docs == ["profile_shell.doctree"]
    assert not list(Path(str(doctrees).format("pdf")).glob("*/*.doctree"))
    assert (Path(str(doctrees).format("pdf")) / "index.doctree").is_file()
    pages = built_book / "html" / "book" / "directory"
    assert len(list(pages.glob("org/*.html"))) > 50 and not list(pages.glob("org/profile_shell*"))


@pytest.mark.parametrize("opened", ["served", "from disk"])
def test_profiles_draw_and_the_filter_works(built_book, opened):
    with serve(built_book / "html") as served:
        base = served if opened == "served" else (built_book / "html").as_uri()
        browser = Browser()
        try:
            for address in ("org/palantir", "system/ident", "org/thomson-reuters"):
                report = browser.open(f"{base}/book/directory/{address}.html")
                assert report.errors == [] and report.failed_requests == [], (address, report.errors)
                assert report.charts and all(c["drawn"] for c in report.charts), address
            browser.navigate(f"{base}/book/directory/index.html")
            total = browser.evaluate("document.querySelectorAll('.bd-article section li').length")
            browser.evaluate("""(() => { const box = document.getElementById('dir-filter-box');
                box.value = 'palantir'; box.dispatchEvent(new Event('input')); })()""")
            shown = browser.evaluate("""Array.from(document.querySelectorAll('.bd-article section li'))
                .filter(li => !li.hidden).map(li => li.textContent)""")
            assert 0 < len(shown) < total and all("palantir" in s.lower() for s in shown)
        finally:
            browser.close()


# --- ids, addresses and incremental generation ---------------------------------------------------------
def _add_organization(data, org_id: str) -> None:
    path = data / "organizations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows.append({**rows[0], "org_id": org_id, "name": "Added", "short_name": "", "parent_id": "",
                 "successor_id": ""})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize("org_id, message", [
    ("../../etc", "cannot be the address of its directory page"),
    ("two  words", "cannot be the address of its directory page"),
    ("Palantir", "would share the directory address org/palantir with line"),
])
def test_an_id_that_cannot_be_an_address_is_refused_naming_its_row(data_copy, org_id, message):
    _add_organization(data_copy, org_id)
    problems = [str(p) for p in validate(data_copy)]
    assert len(problems) == 1, problems
    assert re.search(r"data/organizations.csv, line \d+ \(data row \d+\), field \"org_id\"", problems[0])
    assert message in problems[0]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The directory of a copy of the data, generated once for the tests that change it."""
    root = tmp_path_factory.mktemp("directory")
    shutil.copytree(DATA_DIR, root / "data", ignore=shutil.ignore_patterns("README.md"))
    first = directory.generate(notebooks(), root / "data", root / "pages")
    assert first["rendered"] == len(EVERYONE) and first["unchanged"] == 0
    return root / "data", root / "pages"


def test_a_second_build_with_nothing_changed_reads_nothing(generated, monkeypatch):
    """Right after the first build too: the digest of the directory's inputs lists its pages, not the file
    the digests are kept in (written after it), so the second build does not read the data again."""
    monkeypatch.setattr(directory, "entities", lambda book: pytest.fail("the data was read again"))
    assert directory.generate(notebooks(), *generated) == {"rendered": 0, "written": 0, "unchanged": len(EVERYONE)}


def test_only_the_profiles_that_show_a_changed_row_are_drawn_again(generated, tmp_path):
    data, pages = shutil.copytree(generated[0], tmp_path / "data"), shutil.copytree(generated[1], tmp_path / "pages")
    assert directory.generate(notebooks(), data, pages)["rendered"] == 0
    path = data / "metrics.csv"
    text = path.read_text(encoding="utf-8")
    old = "ident-identities,ident,,Unique identity records stored,230000000,230000000"
    assert old in text
    path.write_text(text.replace(old, old.replace("230000000", "240000000")), encoding="utf-8")
    again = directory.generate(notebooks(), data, pages)
    assert again == {"rendered": 1, "written": 1, "unchanged": len(EVERYONE) - 1}
    assert "240 million" in (pages / "system" / "ident.json").read_text(encoding="utf-8")


def test_a_change_to_an_entitys_own_row_draws_its_page_again(generated, tmp_path):
    data, pages = shutil.copytree(generated[0], tmp_path / "data"), shutil.copytree(generated[1], tmp_path / "pages")
    path = data / "organizations.csv"
    text = path.read_text(encoding="utf-8")
    old = "palantir,Palantir,,company,,,,case_management,afsc-2019,mijente-2018,"
    assert old in text
    path.write_text(text.replace(old, old.replace(",,,,case", ",,,United States,case")), encoding="utf-8")
    assert directory.generate(notebooks(), data, pages) == {"rendered": 1, "written": 1,
                                                            "unchanged": len(EVERYONE) - 1}
    assert "United States" in (pages / "org" / "palantir.json").read_text(encoding="utf-8")


def test_a_renamed_id_leaves_a_page_that_sends_the_reader_on(generated, tmp_path):
    pages = shutil.copytree(generated[1], tmp_path / "pages")
    renames = tmp_path / "renames.csv"
    renames.write_text("table,old_id,new_id\norganizations,palantir-technologies,palantir\n", encoding="utf-8")
    directory.generate(notebooks(), generated[0], pages, renames)
    moved = (pages / "org" / "palantir-technologies.md").read_text(encoding="utf-8")
    assert 'url=palantir.html"' in moved and "(/book/directory/org/palantir.md)" in moved
    renames.write_text("table,old_id,new_id\norganizations,../../x,palantir\n", encoding="utf-8")
    with pytest.raises(ValueError, match="renames.csv, line 2"):
        directory.generate(notebooks(), generated[0], pages, renames)


def test_a_page_of_an_entity_no_longer_in_the_data_goes(generated, tmp_path):
    """And so does a profile an older build wrote as MyST for Sphinx (Sphinx would build it)."""
    pages = shutil.copytree(generated[1], tmp_path / "pages")
    (pages / "org" / "gone-company.json").write_text("{}", encoding="utf-8")
    (pages / "org" / "palantir.md").write_text("# Palantir", encoding="utf-8")
    directory.generate(notebooks(), generated[0], pages)
    assert not (pages / "org" / "gone-company.json").exists() and not (pages / "org" / "palantir.md").exists()
    assert (pages / "org" / "palantir.json").exists() and (pages / "org" / "profile_shell.md").exists()


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def test_glossary_lines_and_directory_names_repeat_nothing():
    """Issue 11: "Departments of motor vehicles (DMVs, not named) (DMV)": a name is not followed by a short
    name it already says, no line has two bracketed asides in a row, and a term is said once in its line."""
    from surveillance_book.directory.index import glossary, glossary_page, glossary_terms
    from surveillance_book.paths import REPO

    for entity in EVERYONE:
        assert ") (" not in entity.label, entity.label
        if entity.short and entity.short in entity.name:
            assert entity.label == entity.name or entity.label.endswith(f"({entity.short})"), entity.label
    page = _plain(glossary_page(glossary(EVERYONE, glossary_terms(REPO / "book"))))
    lines = page.split("```{glossary}")[1].strip("`\n").split("\n\n")
    assert len(lines) > 10
    for entry in lines:
        term, definition = entry.split("\n", 1)
        said = definition.split(" See [")[0]
        assert ") (" not in said and said.count(f"{term} (") == 0, entry
        assert len(re.findall(rf"(?<![\w-]){re.escape(term)}(?![\w-])", said)) <= 1, entry


def test_an_acronym_the_source_does_not_spell_out_is_said_to_be_one():
    """GAO, EID: the AFSC page gives only the letters; the glossary and the profile say so, and invent
    nothing ("U.S. GAO" is the name, not a spelled-out one)."""
    from surveillance_book.directory.entities import rows_about
    from surveillance_book.directory.index import glossary, glossary_page, glossary_terms
    from surveillance_book.directory.profile import _facts
    from surveillance_book.paths import REPO

    by_id = {e.id: e for e in EVERYONE}
    page = _plain(glossary_page(glossary(EVERYONE, glossary_terms(REPO / "book"))))
    assert "GAO\n  Government office; AFSC (2019) does not spell it out. See [U.S. GAO](" in page
    assert ("EID\n  Database; owner or operator: U.S. Department of Homeland Security (DHS); AFSC (2019) does not "
            "spell it out. See it in [the directory](") in page
    assert ("ICE\n  Immigration and Customs Enforcement. Federal agency, part of U.S. Department of Homeland "
            "Security (DHS). See it in [the directory](") in page  # spelled out: not said
    book = Chapter("overview", as_of=BOOK_AS_OF)
    for entity_id, name in (("gao", "U.S. GAO"), ("eid", "EID")):
        entity = by_id[entity_id]
        facts = dict(_facts(entity, rows_about(book, entity), book, "book/directory/x"))
        assert facts["Name"] == name and "Full name" not in facts, facts
        assert facts["Acronym"] == f"{entity.short}; AFSC (2019) does not spell it out", facts
    assert not by_id["ice"].unexpanded_acronym and not by_id["azure"].unexpanded_acronym


def test_a_glossary_terms_index_entry_is_not_written_inside_the_term():
    """Issue 11: "ARC-P" twice in the PDF's index. Sphinx puts a glossary term's index entry in the term,
    which LaTeX sets as a macro's argument; there "\\sphinxhyphen{}" is read back as "\\sphinxhyphen {}" and
    makeindex files the entry apart. The transform moves it into the definition, for every term."""
    from docutils import nodes
    from sphinx import addnodes

    from surveillance_book.directory.first_use import entries_out_of_terms

    items = []
    for term_text in ("ARC-P", "GAO"):
        entry = addnodes.index(entries=[("single", term_text, f"term-{term_text}", "main", None)])
        term = nodes.term("", term_text, entry, ids=[f"term-{term_text}"])
        definition = nodes.definition("", nodes.paragraph("", "what it is"))
        items.append(nodes.definition_list_item("", term, definition))
    document = nodes.section("", nodes.definition_list("", *items))
    entries_out_of_terms(document)
    for item in items:
        term, definition = item.children
        assert not list(term.findall(addnodes.index))
        (moved,) = definition[0].findall(addnodes.index)
        assert definition[0][0] is moved and moved["entries"][0][2] == term["ids"][0]  # same target, head


def test_the_pdf_index_files_each_name_once(built_book):
    """Every index entry of a name is written with the same key, so the PDF's index has one line per name
    (the LaTeX index file; a space after a control word is the sign of an entry read inside an argument)."""
    idx = next((built_book / ".work").rglob("book.idx"), None) or next(built_book.rglob("*.idx"))
    keys: dict[str, set[str]] = {}
    for key in re.findall(r"\\indexentry\{(.*?)@", idx.read_text(encoding="utf-8")):
        keys.setdefault(re.sub(r"(\\[A-Za-z]+) +", r"\1", key), set()).add(key)
    assert keys and "ARC\\sphinxhyphen{}P" in keys
    assert {k: v for k, v in keys.items() if len(v) > 1} == {}
    pdf = "\n".join(p.extract_text() for p in PdfReader(built_book / "pdf" / PDF_NAME).pages)
    index = pdf[pdf.rfind("NDEX"):]
    assert len(re.findall(r"^ARC-P,", index, re.M)) == 1, "ARC-P listed twice in the index"


def test_pages_drawn_on_every_core_are_the_pages_drawn_in_one_process(generated, tmp_path, monkeypatch):
    monkeypatch.setattr(directory, "PARALLEL_FROM", 10**9)  # the fixture's pages were drawn in parallel
    assert len(EVERYONE) >= 40 and directory.generate(notebooks(), generated[0], tmp_path)["rendered"] == len(EVERYONE)
    for page in sorted(tmp_path.rglob("*.md")):
        assert page.read_text(encoding="utf-8") == (generated[1] / page.relative_to(tmp_path)).read_text(
            encoding="utf-8"), page


def test_a_glossary_line_adds_to_its_term_and_does_not_repeat_it():
    """Review of the PDF: "GAO — U.S. GAO — …", "Azure — Azure cloud software", "FBI — Federal agency; …": a
    line that names an entity says what kind of thing it is and whose (owner or parent, from the data), links
    its directory page, and says the term again only as that link; "does not spell it out" once, where true."""
    from surveillance_book.directory.index import glossary, glossary_page, glossary_terms
    from surveillance_book.paths import REPO

    terms = glossary(EVERYONE, glossary_terms(REPO / "book"))
    page = _plain(glossary_page(terms))
    lines = dict(entry.split("\n  ", 1) for entry in page.split("```{glossary}")[1].strip("`\n").split("\n\n"))
    for term, (_, entity) in terms.items():
        if entity is None:
            continue
        line = lines[term]
        said = line.split(" See [")[0]
        assert not re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", said), line
        assert f"](/book/directory/{entity.address}.md)" in line and entity.kind.casefold() in said.casefold(), line
        assert line.count("does not spell it out") == (1 if entity.unexpanded_acronym else 0), line
        if entity.owner:
            assert entity.owner in said, line
    assert lines["Azure"].startswith("Cloud service; owner or operator: Microsoft. See [Azure cloud software](")
    assert lines["ARC-P"].startswith("Cloud service; owner or operator: CSRA; AFSC (2019) does not spell it out.")
    assert lines["DMV"].startswith("State or local agency; AFSC (2019) does not spell it out. See [DMVs (not named)](")


def test_a_directory_line_does_not_repeat_its_heading_and_names_owners_in_full():
    """Review of the PDF: "Accenture — company" under "Company", "of West", "of DMV": a line of the directory
    appendix is the name and whose it is, the owner or parent by its label, not its id's short name."""
    from surveillance_book.directory.index import index_page

    page = _plain(index_page(EVERYONE, {e.id: e.belongs for e in EVERYONE}))
    lines = {line.split("](")[0][3:]: line for line in page.splitlines() if line.startswith("- [")}
    assert len(lines) == len(EVERYONE)
    for entity in EVERYONE:
        line = lines[entity.label]
        assert not line.endswith(f"— {entity.kind}") and f"— {entity.kind};" not in line, line
        assert line.endswith(f".md) — {entity.belongs}" if entity.owner else ".md)"), line
    assert lines["Accenture"] == "- [Accenture](/book/directory/org/accenture.md)"
    assert lines["Consolidated Lead Evaluation and Reporting (CLEAR)"].endswith(
        "— owner or operator: West Publishing Corporation")
    assert lines["DMV facial recognition software"].endswith("— owner or operator: DMVs (not named)")
    assert lines["Homeland Security Investigations (HSI)"].endswith(
        "— part of Immigration and Customs Enforcement (ICE)")


def test_the_pdf_index_files_each_entity_under_one_heading(built_book):
    """Review of the PDF: "Akira" and "Akira Technologies", "ICE" and "Immigration and Customs Enforcement"
    each with pages of their own. An entity's pages are all under its heading (its label), and each other
    name it goes by is a "see" to it, once: in the LaTeX index file and in the PDF's index."""
    idx = next((built_book / ".work").rglob("book.idx"), None) or next(built_book.rglob("*.idx"))
    entries = re.findall(r"\\indexentry\{(.*?)@.*?\|(hyperpage|hyperindexformat\{\\see\{(.*?)\}\})\}\{\d+\}",
                         idx.read_text(encoding="utf-8"))
    def keys(text: str) -> str:  # the LaTeX of a key, read back (the PDF prints an apostrophe as one: ’)
        return re.sub(r"\\sphinxhyphen ?\{\}", "-", text).replace("\\textquotesingle{}", "'").replace("’", "'")

    pages = {keys(key) for key, kind, _ in entries if kind == "hyperpage"}
    sees: dict[str, list[str]] = {}
    for key, _, target in entries:
        if target:
            sees.setdefault(keys(key), []).append(keys(target))
    for entity in EVERYONE:
        assert entity.heading in pages, entity.heading
        for other in {entity.name, entity.short} - {entity.heading, ""}:
            assert other not in pages, f"{other!r} has pages of its own; they belong under {entity.heading!r}"
        for other in entity.see_from:
            assert sees.get(other) == [entity.heading], (other, sees.get(other))
    pdf = "\n".join(p.extract_text() for p in PdfReader(built_book / "pdf" / PDF_NAME).pages)
    index = pdf[pdf.rfind("NDEX"):]
    for see, heading in (("Akira", "Akira Technologies"), ("ICE", "Immigration and Customs Enforcement (ICE)"),
                         ("GAO", "U.S. GAO"), ("DMV", "DMVs (not named)")):
        assert len(re.findall(rf"^{re.escape(see)}, see {re.escape(heading)}", index, re.M)) == 1, see
        assert not re.search(rf"^{re.escape(see)}, \d", index, re.M), see


SHELL_HTML = """<html><head><title>profile-shell-title &#8212; Book</title></head><body>
<div class="bd-header"><h1>profile-shell-title</h1></div>
<article class="bd-article"><section id="profile-shell-title"><h1>profile-shell-title</h1>
<section id="profile-shell-section"><h2>profile-shell-section</h2>
<p><span class="bibtex-citation" id="id1">(<a href="../../references.html#cite-a">A 2019</a>)</span></p>
<p><span class="bibtex-citation" id="id2">(<a href="../../references.html#cite-b">B n.d., in A</a>)</span></p>
</section></section><script>thebe</script></article>
<nav><ul><li class="toc-h2"><a class="nav-link" href="#profile-shell-section">profile-shell-section</a></li></ul></nav>
</body></html>"""


def _shell_site(tmp_path, page: dict):
    from surveillance_book.directory.publish import SHELL, shell_page

    html, pages = tmp_path / "html", tmp_path / "pages"
    (html / "book" / "directory" / "org").mkdir(parents=True)
    (html / "book" / "directory" / "org" / "profile_shell.html").write_text(SHELL_HTML, encoding="utf-8")
    (html / "book" / "directory" / "org" / "gone.html").write_text("an entity no longer in the data")
    (pages / "org").mkdir(parents=True)
    (pages / SHELL).write_text(shell_page(["b", "a"]), encoding="utf-8")
    (pages / "org" / "x.json").write_text(json.dumps(page), encoding="utf-8")
    return html / "book" / "directory" / "org", pages


def test_publish_fills_the_shell_and_clears_what_is_not_a_profile(tmp_path):
    from surveillance_book.directory.profile import CITATIONS
    from surveillance_book.directory.publish import publish

    body = f'<section id="x"><h1>X &amp; Y</h1><section id="sources"><h2>Sources</h2>{CITATIONS}</section></section>'
    out, pages = _shell_site(tmp_path, {"title": "X & Y's", "contents": [["sources", "Sources"]], "body": body,
                                        "cite": ["b", "a"]})
    assert publish(out.parent.parent.parent, pages) == 1
    page = (out / "x.html").read_text(encoding="utf-8")
    assert "<title>X &amp; Y’s &#8212; Book</title>" in page and "<h1>X &amp; Y’s</h1></div>" in page
    assert '<a class="nav-link" href="#sources">Sources</a>' in page and "profile-shell" not in page
    assert ('(<a href="../../references.html#cite-b">B n.d., in A</a>; '
            '<a href="../../references.html#cite-a">A 2019</a>)') in page
    assert page.index("</section></section>") < page.index("<script>thebe</script>")
    assert sorted(p.name for p in out.iterdir()) == ["x.html"]  # the shell's page and a stale page gone


def test_publish_stops_with_one_line_when_the_shell_or_a_page_does_not_fit(tmp_path):
    from surveillance_book.console import BuildError
    from surveillance_book.directory.publish import publish

    out, pages = _shell_site(tmp_path, {"title": "X", "contents": [], "body": "", "cite": ["c"]})
    with pytest.raises(BuildError, match=r"x\.json: cites c, not in data/sources\.csv"):
        publish(out.parent.parent.parent, pages)
    (out / "profile_shell.html").write_text(SHELL_HTML.replace('href="#profile-shell-section"', 'href="#"'))
    with pytest.raises(BuildError, match="no contents to fill"):
        publish(out.parent.parent.parent, pages)


def test_the_chapters_first_uses_depend_on_the_names_not_on_every_row(data_copy):
    """Sphinx reads a chapter again when the words its first uses look for change, not for any change to
    organizations.csv or systems.csv (every chapter was read again for a changed note or country)."""
    from surveillance_book.directory.first_use import words_text

    def words() -> str:
        return words_text(entities(Chapter("overview", as_of=BOOK_AS_OF, data_dir=data_copy)))

    before = words()
    set_row(data_copy / "organizations.csv", "palantir", note="a note no chapter looks for", country="US")
    assert words() == before
    set_row(data_copy / "organizations.csv", "palantir", name="Palantir Technologies")
    after = words()
    assert after != before and "'Palantir Technologies'" in after and "'Palantir'" not in after
