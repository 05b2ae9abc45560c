"""One edition number, one source of truth (CITATION.cff), the same everywhere."""

import json

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from surveillance_book import edition as editions
from surveillance_book.build import PDF_NAME
from surveillance_book.data import package
from surveillance_book.paths import REPO


def test_citation_file_is_valid_cff_with_a_semantic_version():
    ed = editions.edition()
    assert editions.SEMVER.match(ed.version)
    assert ed.title == "High-Tech Surveillance of Immigrants"


@pytest.mark.parametrize(("text", "message"), [
    ("cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors: [{name: a}]\nversion: 1.0\ndate-released: 2026-01-01\n",
     "version '1.0' is not a semantic version"),
    ("cff-version: 1.2.0\ntitle: t\nauthors: [{name: a}]\nversion: 1.0.0\n", "'message' is a required property"),
    ("cff-version: 1.2.0\nmessage: m\ntitle: t\nauthors: [{name: a}]\nversion: 1.0.0\ndate-released: 26/11/2026\n",
     "date-released: '26/11/2026' does not match"),
    ("title: [unclosed\n", "cannot read it"),
])
def test_a_malformed_citation_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "CITATION.cff"
    path.write_text(text)
    with pytest.raises(editions.CitationError, match=message.replace("(", r"\(").replace("[", r"\[")):
        editions.edition(path)


def test_zenodo_metadata_has_the_edition():
    ed = editions.edition()
    zenodo = json.loads((REPO / ".zenodo.json").read_text())
    assert zenodo["version"] == ed.version
    assert zenodo["publication_date"] == ed.released.isoformat()
    assert zenodo["title"] == ed.title
    assert zenodo["creators"] == editions.zenodo_creators()


def test_zenodo_creators_are_the_citation_authors_in_the_form_zenodo_splits_at_its_comma():
    # Zenodo files each creator as a person, split at the one comma of "Family, Given"; read back in
    # reading order ("Given Family") the creators must be the authors of CITATION.cff, in order
    zenodo = json.loads((REPO / ".zenodo.json").read_text())
    names = [creator["name"] for creator in zenodo["creators"]]
    assert all(name.count(", ") == 1 for name in names), names
    assert [" ".join(reversed(name.split(", "))) for name in names] == list(editions.edition().authors)


@pytest.mark.parametrize(("author", "name"), [
    ({"given-names": "Ada", "family-names": "Lovelace"}, "Lovelace, Ada"),
    ({"given-names": "Ludwig", "name-particle": "van", "family-names": "Beethoven"}, "van Beethoven, Ludwig"),
    ({"family-names": "Mijente"}, "Mijente"),
    ({"name": "The High-Tech Surveillance of Immigrants book authors"},
     "High-Tech Surveillance of Immigrants book authors, The"),
    ({"name": "An Example Collective"}, "Example Collective, An"),
])
def test_zenodo_name(author, name):
    assert editions.zenodo_name(author) == name


@pytest.mark.parametrize("name", ["Mijente", "Immigrant Defense Project", "The Group, Inc.", "The"])
def test_a_group_name_zenodo_would_split_is_refused(name):
    with pytest.raises(editions.CitationError, match="Zenodo would split"):
        editions.zenodo_name({"name": name})


def test_the_preferred_citation_is_this_edition_of_the_book():
    import yaml

    meta = yaml.safe_load(editions.CITATION.read_text(encoding="utf-8"))
    ed = editions.edition()
    assert meta["type"] in ("software", "dataset")  # all CFF allows for the work itself
    book = meta["preferred-citation"]
    assert book["type"] == "book"
    assert (book["title"], book["version"], book["edition"]) == (ed.title, ed.version, ed.version)
    assert book["date-released"] == ed.released
    assert [a["name"] for a in book["authors"]] == list(ed.authors)
    # no publisher is invented: the book is self-published by its authors
    assert book["publisher"]["name"] == ed.publisher
    assert ed.publisher in ed.authors


@pytest.mark.parametrize(("old", "new", "key"), [
    ("  version: 0.1.0", "  version: 0.1.1", "version"),
    ("  edition: 0.1.0", "  edition: 1", "edition"),
    ("  date-released: 2026-11-26", "  date-released: 2026-11-27", "date-released"),
    ('  title: "High-Tech Surveillance of Immigrants"', '  title: "Other"', "title"),
    ('    - name: "The High-Tech Surveillance of Immigrants book authors"\n  version',
     '    - name: "Someone else"\n  version', "authors"),
])
def test_a_preferred_citation_that_differs_from_the_edition_is_refused(tmp_path, old, new, key):
    text = editions.CITATION.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "CITATION.cff"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(editions.CitationError, match=f"preferred-citation differs from the edition in {key};"):
        editions.edition(path)


def test_citations_name_the_edition_and_no_invented_doi():
    ed = editions.edition()
    assert f"edition {ed.version}" in editions.plain(ed)
    assert f"Edition {ed.version}" in editions.apa(ed)
    assert f"edition = {{{ed.version}}}" in editions.bibtex(ed)
    assert f"publisher = {{{ed.publisher}}}" in editions.bibtex(ed)
    if ed.doi is None:
        assert "This edition has no DOI." in editions.plain(ed)
        assert "doi" not in editions.bibtex(ed)


def test_html_and_pdf_show_the_same_edition_and_data_version(built_book):
    ed, data_version = editions.edition(), package()["version"]
    footer = f"Edition {ed.version} ({ed.released:%-d %B %Y}) · data package version {data_version}"
    assert footer in (built_book / "html" / "book" / "intro.html").read_text(encoding="utf-8")
    cite = BeautifulSoup((built_book / "html" / "book" / "cite.html").read_text(encoding="utf-8"), "html.parser")
    cite = cite.get_text()
    assert f"edition = {{{ed.version}}}" in cite
    reader = PdfReader(built_book / "pdf" / PDF_NAME)
    assert reader.metadata.title == ed.title
    assert f"Edition {ed.version}" in reader.metadata.subject
    assert f"Edition {ed.version}" in reader.pages[0].extract_text()


def test_a_tagged_commit_carries_the_edition_of_its_tag():
    import subprocess

    tags = subprocess.run(["git", "tag", "--points-at", "HEAD", "--list", "v*"], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout.split()
    for tag in tags:  # untagged commits are work between editions
        assert tag == f"v{editions.edition().version}"


def test_write_edition_keeps_comments_and_refuses_what_it_cannot_place(tmp_path):
    import datetime

    import yaml

    from surveillance_book.edition import CITATION, CitationError, edition, write_edition

    path = tmp_path / "CITATION.cff"
    path.write_bytes(CITATION.read_bytes())
    ed = write_edition("3.2.1", datetime.date(2031, 2, 3), path)
    assert (ed.version, ed.released) == ("3.2.1", datetime.date(2031, 2, 3))
    book = yaml.safe_load(path.read_text())["preferred-citation"]  # the book follows
    assert (book["version"], book["edition"], book["date-released"]) == ("3.2.1", "3.2.1", datetime.date(2031, 2, 3))
    assert yaml.safe_load(path.read_text())["references"] == yaml.safe_load(CITATION.read_text())["references"]
    assert path.read_text().splitlines()[0] == CITATION.read_text().splitlines()[0]  # the comment stays
    broken = path.read_text().replace("\nversion: 3.2.1", "\n# no version line")
    path.write_text(broken)
    with pytest.raises(CitationError, match="one top-level 'version:' line, found 0"):
        write_edition("3.2.2", datetime.date(2031, 2, 3), path)
    path.write_bytes(CITATION.read_bytes())
    with pytest.raises(CitationError):
        write_edition("3.2", datetime.date(2031, 2, 3), path)  # not semantic: refused, and not left behind
    assert edition(path).version == edition(CITATION).version
