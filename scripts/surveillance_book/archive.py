"""Zip files so that identical contents give a byte-identical archive (sorted names, fixed timestamps)."""

import zipfile
from pathlib import Path


def write_entries(target: Path, entries: dict[str, bytes]) -> None:
    """Write ``entries`` (name in the archive → content) into ``target``, in name order."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])


def write_zip(target: Path, files: list[Path], root: Path, prefix: str) -> None:
    """Write ``files`` (all under ``root``) into ``target`` as ``prefix/<path relative to root>``."""
    write_entries(target, {f"{prefix}/{path.relative_to(root).as_posix()}": path.read_bytes() for path in files})
