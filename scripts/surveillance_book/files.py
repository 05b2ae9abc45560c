"""Writing the files a build makes: atomically, and only when their text changed.

An interruption leaves the old file or the new one, never half of one; a file written again with the same
text keeps its time, so that Sphinx does not read again a notebook whose run changed nothing.
"""

import os
from pathlib import Path


def write_if_changed(path: Path, text: str) -> bool:
    """Write a file only when its text changed (atomically); True when it was written."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True
