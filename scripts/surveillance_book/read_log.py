"""What a notebook run read: the data files it opened and the package modules it imported.

When the build executes a notebook it sets ``SURVEILLANCE_BOOK_READ_LOG``; every read is then also
written there. Those files are the notebook's inputs: a change to any of them makes the build run it
again (see ``execute.py``).
"""

import atexit
import json
import os
import sys
from pathlib import Path

FILES_READ: set[Path] = set()
READ_LOG_ENV = "SURVEILLANCE_BOOK_READ_LOG"
_PACKAGE = __package__ or "surveillance_book"


def inputs_seen() -> list[str]:
    """Files read so far plus the files of the package's modules imported, as sorted absolute paths."""
    modules = {Path(m.__file__).resolve() for name, m in list(sys.modules.items())
               if name.split(".")[0] == _PACKAGE and getattr(m, "__file__", None)}
    return sorted(str(p) for p in FILES_READ | modules)


def _write() -> None:
    if log := os.environ.get(READ_LOG_ENV):
        Path(log).write_text(json.dumps(inputs_seen(), indent=0) + "\n", encoding="utf-8")


def record(path: Path) -> None:
    """Note that ``path`` was read (and update the log, so a run that dies still leaves it)."""
    FILES_READ.add(path)
    _write()


atexit.register(_write)  # modules imported after the last read count too
