"""Write a synthetic, schema-valid copy of the data package with every table N times as long.

For the scale series of ``make bench`` only: the output goes to a folder of its own (``--out``), never
into data/. Copy 0 is the real data; copy k (1 … N-1) repeats every organization, system and fact
with ``-sk`` after each id and each reference to an organization or a system, `` (k)`` after each name,
and amounts and values scaled by a seeded random factor, so that no two copies are the same and every
key still resolves. Sources are shared by all copies.

    python scripts/make_scale_data.py --factor 10 --seed 1 --out /tmp/data-x10
"""

import argparse
import csv
import json
import random
import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
ENTITIES = {"organizations", "systems"}
NAMES = ("name", "short_name", "acronym")
SCALED = (("amount_usd",), ("value_low", "value_high"))


def _entity_fields(resource: dict) -> set[str]:
    """The fields that hold an organization's or a system's id (keys and references)."""
    schema = resource["schema"]
    out = set(schema["primaryKey"][:1]) if resource["name"] in ENTITIES else set()
    for fk in schema.get("foreignKeys", []):
        target = fk["reference"].get("resource", resource["name"])
        if target in ENTITIES:
            out |= set([fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"])
    if resource["name"] not in ENTITIES:
        out |= {k for k in schema["primaryKey"] if k.endswith("_id") and k != "source_id"}
    return out


def _copy_row(row: dict, k: int, ids: set[str], rng: random.Random) -> dict:
    out = dict(row)
    for field in ids:
        if out.get(field):
            out[field] = f"{out[field]}-s{k}"
    for field in NAMES:
        if out.get(field):
            out[field] = f"{out[field]} ({k})"
    for group in SCALED:
        factor = rng.uniform(0.5, 1.5)  # one factor per row, so a range keeps low <= high
        for field in group:
            if out.get(field):
                out[field] = str(round(float(out[field]) * factor))
    return out


def write(factor: int, seed: int, out: Path, data: Path = DATA) -> None:
    if out.resolve() == data.resolve():
        raise SystemExit("make_scale_data: --out must not be the real data folder")
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shutil.copyfile(data / "datapackage.json", out / "datapackage.json")
    rng = random.Random(seed)
    for resource in package["resources"]:
        with (data / resource["path"]).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            fields, rows = reader.fieldnames, list(reader)
        ids = _entity_fields(resource) | ({resource["schema"]["primaryKey"][0]}
                                          if resource["name"] != "sources" else set())
        copies = [rows] + ([[_copy_row(r, k, ids, rng) for r in rows] for k in range(1, factor)]
                           if resource["name"] != "sources" else [])
        with (out / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            for copy in copies:
                writer.writerows(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write(args.factor, args.seed, args.out)


if __name__ == "__main__":
    main()
