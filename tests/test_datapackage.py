"""The data package descriptor as other tools read it: Data Package v2 forms, and the metadata
catalogues and citation tools look for (id, contributors, created, keywords), in step with CITATION.cff."""

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from surveillance_book.edition import CITATION, edition
from surveillance_book.paths import DATA_DIR, PACKAGE_FILE

V2_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


def descriptor() -> dict:
    return json.loads((DATA_DIR / PACKAGE_FILE).read_text(encoding="utf-8"))


def v1_forms(package: dict) -> list[str]:
    """Where a descriptor that declares v2 still writes v1 forms: a foreign key's fields as a string
    instead of a list, a key into its own table naming that table, a primary key as a string."""
    found = []
    names = {res["name"] for res in package["resources"]}
    for res in package["resources"]:
        schema = res.get("schema", {})
        if not isinstance(schema.get("primaryKey", []), list):
            found.append(f"{res['name']}: primaryKey is not a list")
        for number, fk in enumerate(schema.get("foreignKeys", []), start=1):
            where, ref = f"{res['name']}: foreign key {number}", fk.get("reference", {})
            if not isinstance(fk.get("fields"), list):
                found.append(f"{where}: fields is not a list")
            if not isinstance(ref.get("fields"), list):
                found.append(f"{where}: reference.fields is not a list")
            if "resource" in ref and ref["resource"] == res["name"]:
                found.append(f"{where}: names its own table as reference.resource (v2 leaves it out)")
            elif "resource" in ref and ref["resource"] not in names:
                found.append(f"{where}: reference.resource {ref['resource']!r} is no table of the package")
    return found


def test_the_descriptor_declares_v2_and_writes_v2_forms():
    package = descriptor()
    assert package["$schema"] == V2_PROFILE
    assert v1_forms(package) == []
    assert sum(len(res["schema"].get("foreignKeys", [])) for res in package["resources"]) > 0  # checked some


def test_the_v2_check_finds_v1_forms():
    package = {"resources": [{"name": "organizations", "schema": {"primaryKey": "org_id", "foreignKeys": [
        {"fields": "parent_id", "reference": {"resource": "organizations", "fields": "org_id"}},
        {"fields": ["source_id"], "reference": {"resource": "nowhere", "fields": ["source_id"]}}]}}]}
    assert v1_forms(package) == [
        "organizations: primaryKey is not a list",
        "organizations: foreign key 1: fields is not a list",
        "organizations: foreign key 1: reference.fields is not a list",
        "organizations: foreign key 1: names its own table as reference.resource (v2 leaves it out)",
        "organizations: foreign key 2: reference.resource 'nowhere' is no table of the package"]


def test_the_descriptor_has_id_contributors_created_and_keywords_from_the_citation():
    package, citation = descriptor(), yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    ed = edition()
    # id: the DOI once one is assigned (CITATION.cff's `doi`), never an invented one; until then the name
    if ed.doi:
        assert package["id"] == f"https://doi.org/{ed.doi}"
    else:
        assert package["id"] == package["name"]
    # the book's authors, as CITATION.cff names them, as the package's creators
    assert [c["title"] for c in package["contributors"]] == [a["name"] for a in citation["authors"]]
    assert all(c["roles"] == ["creator"] for c in package["contributors"])
    assert package["keywords"] == citation["keywords"]
    # created: an RFC 3339 date-time, not after the edition that publishes the package
    created = datetime.datetime.fromisoformat(package["created"].replace("Z", "+00:00"))
    assert created.tzinfo is not None
    assert created.date() <= ed.released


def test_frictionless_validates_the_descriptor_offline():
    """The command other tools run: `frictionless validate data/datapackage.json`, without the network
    where the machine allows a process one (as root on Linux: unshare -n)."""
    cli = str(Path(sys.executable).parent / "frictionless")
    offline = ["unshare", "-n"] if shutil.which("unshare") and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True).returncode == 0 else []
    result = subprocess.run([*offline, cli, "validate", "--json", str(DATA_DIR / PACKAGE_FILE)],
                            capture_output=True, text=True)
    report = json.loads(result.stdout)
    assert report["valid"], result.stdout[-3000:]
    assert result.returncode == 0
