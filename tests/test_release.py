"""`make release`: refusals write nothing; the release folder's checksums match its files."""

import datetime
import hashlib
import json
import zipfile

import pytest
from data_zip_check import check_data_zip

from surveillance_book import edition as editions
from surveillance_book import release


@pytest.mark.parametrize(("version", "message"), [
    ("1.0", "not a semantic version"),
    ("v1.0.0", "not a semantic version"),
    ("0.0.9", "older than the current edition 0.1.0"),
    ("0.2.0", "tag v0.2.0 exists already"),
])
def test_bad_versions_are_refused(version, message):
    with pytest.raises(release.ReleaseError, match=message):
        release.check_version(version, "0.1.0", ["v0.1.0", "v0.2.0"])


def test_a_dirty_tree_is_refused_before_anything_is_written(monkeypatch):
    monkeypatch.setattr(release, "git", lambda *a: " M data/contracts.csv\n" if a[0] == "status" else "")
    monkeypatch.setattr(release, "set_edition", lambda *a: pytest.fail("edition written on a dirty tree"))
    with pytest.raises(release.ReleaseError, match="uncommitted changes"):
        release.release("9.0.0", datetime.date(2030, 1, 1), run_tests=False)


def test_set_edition_writes_the_one_source_and_mirrors_zenodo(tmp_path, monkeypatch):
    for name, target in (("CITATION.cff", editions.CITATION), (".zenodo.json", release.ZENODO)):
        (tmp_path / name).write_bytes(target.read_bytes())
    stale = json.loads(release.ZENODO.read_text()) | {"creators": [{"name": "stale"}]}
    (tmp_path / ".zenodo.json").write_text(json.dumps(stale))
    monkeypatch.setattr(release, "CITATION", tmp_path / "CITATION.cff")
    monkeypatch.setattr(release, "ZENODO", tmp_path / ".zenodo.json")
    monkeypatch.setattr(release, "edition", lambda: editions.edition(tmp_path / "CITATION.cff"))
    release.set_edition("2.3.4", datetime.date(2030, 5, 6))
    ed = editions.edition(tmp_path / "CITATION.cff")
    assert (ed.version, ed.released) == ("2.3.4", datetime.date(2030, 5, 6))
    zenodo = json.loads((tmp_path / ".zenodo.json").read_text())
    assert (zenodo["version"], zenodo["publication_date"]) == ("2.3.4", "2030-05-06")
    assert zenodo["creators"] == editions.zenodo_creators(tmp_path / "CITATION.cff")
    assert [c["name"] for c in zenodo["creators"]] == ["High-Tech Surveillance of Immigrants book authors, The"]


def test_release_folder_holds_the_edition_with_matching_checksums(built_book, tmp_path):
    folder = release.write_release_folder("0.1.0", built_book, tmp_path / "v0.1.0")
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    stem = "high-tech-surveillance-of-immigrants-0.1.0"
    for expected in (f"{stem}.pdf", f"{stem}-html.zip", f"{stem}-data.zip", "CITATION.cff", "claims.csv",
                     "SHA256SUMS"):
        assert expected in names
    assert (folder / "claims.csv").read_bytes() == (built_book / "claims.csv").read_bytes()  # the edition's register
    assert any(n.startswith("notebooks/") and n.endswith(".ipynb") for n in names)
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == set(names) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    with zipfile.ZipFile(folder / f"{stem}-html.zip") as archive:
        assert f"{stem}-html/index.html" in archive.namelist()
    # exactly the package (nothing else in data/), with its licence, citation and own README
    check_data_zip(folder / f"{stem}-data.zip", f"{stem}-data")
    again = release.write_release_folder("0.1.0", built_book, tmp_path / "again")
    assert (again / "SHA256SUMS").read_text() == (folder / "SHA256SUMS").read_text()  # byte-identical archive
