"""What every data zip must be: the package's files, the licence, the citation and a README that makes
sense to a reader who has only the zip (no commands or files of the repository)."""

import re
import zipfile

from surveillance_book.data import package
from surveillance_book.edition import CITATION, edition
from surveillance_book.paths import DATA_DIR, PACKAGE_FILE, PACKAGE_README, REPO

REPOSITORY_WORDS = re.compile(r"\bmake\b|tests/|scripts/|notebooks/|\.py\b|\.ipynb|pytest|repositor", re.I)
FILE_NAMES = re.compile(r"`([\w.-]+\.(?:csv|json|cff|md|txt))`|`(LICENSE)`")


def check_data_zip(path, prefix: str) -> None:
    with zipfile.ZipFile(path) as archive:
        files = {name.removeprefix(f"{prefix}/"): archive.read(name) for name in archive.namelist()}
        assert all(name.startswith(f"{prefix}/") for name in archive.namelist())
    descriptor = package()
    tables = [res["path"] for res in descriptor["resources"]]
    assert sorted(files) == sorted(["README.md", "LICENSE", "CITATION.cff", PACKAGE_FILE, *tables])
    for name in [PACKAGE_FILE, *tables]:  # the package as it is in data/
        assert files[name] == (DATA_DIR / name).read_bytes(), name
    # the licence of the data (CC BY 4.0, not the code's MIT) and the citation the licence asks for
    assert files["LICENSE"] == (REPO / "LICENSE-CONTENT").read_bytes()
    assert descriptor["licenses"][0]["path"].encode() in files["LICENSE"]
    assert files["CITATION.cff"] == CITATION.read_bytes()
    # a README of its own, not the maintainers' guide in data/
    readme = files["README.md"].decode("utf-8")
    assert readme != (DATA_DIR / PACKAGE_README).read_text(encoding="utf-8")
    assert REPOSITORY_WORDS.findall(readme) == []
    mentioned = {a or b for a, b in FILE_NAMES.findall(readme)}
    assert mentioned == set(files)  # every file described, and no file that is not there
    ed = edition()
    assert f"edition {ed.version} ({ed.released:%-d %B %Y})" in readme
    assert f"Data package version {descriptor['version']}" in readme
    assert descriptor["licenses"][0]["path"] in readme
