"""The data zip stands on its own: package files, licence, citation and a README for a reader outside
the repository (the built book's zip is checked the same way in test_book_output and test_release)."""

import zipfile

import pytest
from data_zip_check import REPOSITORY_WORDS, check_data_zip

from surveillance_book.data_zip import readme, write_data_zip


def test_the_data_zip_is_self_contained(tmp_path):
    target = tmp_path / "data.zip"
    write_data_zip(target, "data")
    check_data_zip(target, "data")
    again = tmp_path / "again.zip"
    write_data_zip(again, "data")
    assert again.read_bytes() == target.read_bytes()  # byte-identical for identical contents


def test_the_readme_describes_every_column(data_copy):
    import json

    text = readme(data_copy)
    for res in json.loads((data_copy / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        assert f"### `{res['path']}`" in text
        for field in res["schema"]["fields"]:
            assert f"| `{field['name']}` |" in text, (res["name"], field["name"])


@pytest.mark.parametrize("text", ["Run `make validate`.", "see tests/test_extraction.py", "notebooks/cloud.ipynb",
                                  "the repository root"])
def test_the_check_sees_a_readme_that_points_into_the_repository(text):
    assert REPOSITORY_WORDS.search(text)


def test_the_check_sees_a_missing_licence(tmp_path):
    write_data_zip(tmp_path / "data.zip", "data")
    with zipfile.ZipFile(tmp_path / "data.zip") as full, zipfile.ZipFile(tmp_path / "bad.zip", "w") as bad:
        for name in full.namelist():
            if name != "data/LICENSE":
                bad.writestr(name, full.read(name))
    with pytest.raises(AssertionError):
        check_data_zip(tmp_path / "bad.zip", "data")
