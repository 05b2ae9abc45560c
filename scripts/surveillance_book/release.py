"""`make release VERSION=X.Y.Z`: the archive an author deposits for one edition.

Refuses, writing nothing, on a version that is not semantic or not newer, an existing
tag, a dirty work tree, or failing tests. Then sets the edition in CITATION.cff (the one
source) and .zenodo.json, builds the book, commits and tags ``vX.Y.Z``, and writes
``_release/vX.Y.Z/``: the HTML site (zip), the PDF, the data package (zip), the
executed notebooks, CITATION.cff, the claims register (claims.csv) and SHA256SUMS. Offline throughout.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .archive import write_zip
from .build import PDF_NAME, build
from .claims import REGISTER_NAME
from .console import BuildError
from .data_zip import write_data_zip
from .edition import CITATION, SEMVER, edition, write_edition, zenodo_creators
from .execute import notebooks
from .git import git
from .paths import REPO

ZENODO = REPO / ".zenodo.json"
RELEASES = REPO / "_release"


class ReleaseError(Exception):
    """The release was refused; nothing was written."""


def check_version(version: str, current: str, tags: list[str]) -> None:
    if not SEMVER.match(version):
        raise ReleaseError(f"VERSION={version!r} is not a semantic version X.Y.Z (e.g. 1.0.0)")
    as_tuple = lambda v: tuple(map(int, v.split(".")))  # noqa: E731
    if as_tuple(version) < as_tuple(current):
        raise ReleaseError(f"VERSION={version} is older than the current edition {current}")
    if f"v{version}" in tags:
        raise ReleaseError(f"tag v{version} exists already: edition {version} was released")


def check_clean_tree() -> None:
    dirty = git("status", "--porcelain", "--untracked-files=normal").strip()
    if dirty:
        raise ReleaseError("the work tree has uncommitted changes; commit or stash them first:\n" + dirty)


def set_edition(version: str, released: datetime.date) -> None:
    """Write the edition into CITATION.cff and mirror it (and its authors, as Zenodo files them) into
    .zenodo.json."""
    write_edition(version, released, CITATION)
    zenodo = json.loads(ZENODO.read_text(encoding="utf-8"))
    zenodo.update(version=version, publication_date=released.isoformat(), creators=zenodo_creators(CITATION))
    ZENODO.write_text(json.dumps(zenodo, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _zip_dir(source: Path, target: Path, prefix: str) -> None:
    write_zip(target, [p for p in source.rglob("*") if p.is_file()], source, prefix)


def write_release_folder(version: str, build_dir: Path, target: Path) -> Path:
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "notebooks").mkdir(parents=True)
    stem = f"high-tech-surveillance-of-immigrants-{version}"
    _zip_dir(build_dir / "html", tmp / f"{stem}-html.zip", f"{stem}-html")
    shutil.copyfile(build_dir / "pdf" / PDF_NAME, tmp / f"{stem}.pdf")
    write_data_zip(tmp / f"{stem}-data.zip", f"{stem}-data")
    for nb in notebooks():
        shutil.copyfile(nb, tmp / "notebooks" / nb.name)
    shutil.copyfile(CITATION, tmp / "CITATION.cff")
    shutil.copyfile(build_dir / REGISTER_NAME, tmp / REGISTER_NAME)
    sums = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(tmp).as_posix()}"
            for p in sorted(tmp.rglob("*")) if p.is_file()]
    (tmp / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def release(version: str, released: datetime.date, run_tests: bool = True) -> Path:
    current = edition().version
    check_version(version, current, git("tag", "--list").split())
    check_clean_tree()
    if run_tests:
        print("running the tests (make test) before releasing…", flush=True)
        if subprocess.run(["make", "test"], cwd=REPO).returncode != 0:
            raise ReleaseError("the tests fail: fix them before releasing")
    set_edition(version, released)
    try:
        build_dir = REPO / "_build"
        build(build_dir)
        git("add", "CITATION.cff", ".zenodo.json", "notebooks")
        git("commit", "-q", "-m", f"Release edition {version}")
        git("tag", "-a", f"v{version}", "-m", f"Edition {version}")
    except (BuildError, subprocess.CalledProcessError) as err:
        git("checkout", "--", "CITATION.cff", ".zenodo.json")  # nothing written
        raise ReleaseError(f"the build failed; the edition was not changed:\n{err}") from None
    return write_release_folder(version, build_dir, RELEASES / f"v{version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the new edition, X.Y.Z")
    args = parser.parse_args(argv)
    # SOURCE_DATE_EPOCH, if set, fixes the release date (reproducible releases); otherwise today.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    released = (datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date() if epoch
                else datetime.date.today())
    try:
        folder = release(args.version, released)
    except ReleaseError as err:
        print(f"RELEASE REFUSED: {err}", file=sys.stderr)
        return 1
    print(f"Edition {args.version} released: {folder} (tag v{args.version}; push it with `git push --tags`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
