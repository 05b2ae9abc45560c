"""Write environment.yml from requirements.lock, so conda users get the same pins."""

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+==[^\s\\;]+)")


def pins(lock_text: str) -> list[str]:
    return [m.group(1) for line in lock_text.splitlines() if (m := PIN.match(line))]


def environment_yml(lock_text: str) -> str:
    lines = [
        "# Conda environment mirroring requirements.lock (the pins there are the source;",
        "# regenerate with `make environment.yml`).",
        "name: high-tech-surveillance-of-immigrants",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11.7",
        "  - pip",
        "  - pip:",
        *(f"      - {pin}" for pin in pins(lock_text)),
        "      - -e .",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (REPO / "environment.yml").write_text(environment_yml((REPO / "requirements.lock").read_text()))
    sys.exit(0)
