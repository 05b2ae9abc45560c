"""Where things are in the repository."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / "data"
NOTEBOOKS_DIR = REPO / "notebooks"
PACKAGE_FILE = "datapackage.json"
PACKAGE_README = "README.md"  # the one file besides the descriptor and its tables that data/ may hold
