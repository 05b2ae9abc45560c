"""The environment is pinned once (requirements.lock) and mirrored exactly."""

import importlib.util
import re

from surveillance_book.paths import REPO

spec = importlib.util.spec_from_file_location("write_env", REPO / "scripts" / "write_environment_yml.py")
write_env = importlib.util.module_from_spec(spec)
spec.loader.exec_module(write_env)


def test_every_locked_package_is_pinned_with_hashes():
    lock = (REPO / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.strip())
    assert len(blocks) > 50
    for block in blocks:
        if block.startswith("#"):
            continue
        assert re.match(r"^[A-Za-z0-9_.\-\[\]]+==\S+", block), block.splitlines()[0]
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_direct_dependencies_are_pinned_and_locked():
    lock_pins = set(write_env.pins((REPO / "requirements.lock").read_text()))
    for line in (REPO / "requirements.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert "==" in line, f"requirements.in: {line} is not pinned"
            assert line.lower() in {p.lower() for p in lock_pins}, f"{line} is not what the lock holds"


def test_jupyter_book_is_the_decided_version():
    assert "jupyter-book==1.0.4.post1" in write_env.pins((REPO / "requirements.lock").read_text())


def test_environment_yml_mirrors_the_lock():
    expected = write_env.environment_yml((REPO / "requirements.lock").read_text())
    assert (REPO / "environment.yml").read_text() == expected, "run `make environment.yml`"
