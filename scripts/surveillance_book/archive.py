"""Zip files so that identical contents give a byte-identical archive (sorted names, fixed timestamps)."""

import zipfile
from pathlib import Path


def write_zip(target: Path, files: list[Path], root: Path, prefix: str) -> None:
    """Write ``files`` (all under ``root``) into ``target`` as ``prefix/<path relative to root>``."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{prefix}/{path.relative_to(root).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
