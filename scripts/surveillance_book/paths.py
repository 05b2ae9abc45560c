"""Where things are in the repository."""

import hashlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / "data"
NOTEBOOKS_DIR = REPO / "notebooks"
PACKAGE_FILE = "datapackage.json"
PACKAGE_README = "README.md"  # the one file besides the descriptor and its tables that data/ may hold


def package_digest() -> str:
    """A digest of this package's code: what is made from it (pages, the directory) is made again when it
    changes."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
