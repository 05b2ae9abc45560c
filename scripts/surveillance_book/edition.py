"""The edition of the book: written once, in CITATION.cff."""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .paths import REPO

CITATION = REPO / "CITATION.cff"
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


@dataclass(frozen=True)
class Edition:
    title: str
    version: str
    released: str  # YYYY-MM-DD


def edition(path: Path = CITATION) -> Edition:
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    version = str(meta.get("version", ""))
    if not SEMVER.match(version):
        raise ValueError(f"{path}: version {version!r} is not a semantic version X.Y.Z")
    return Edition(meta["title"], version, str(meta["date-released"]))
