"""Reading a stored notebook's glued values, as the book shows them."""

from myst_nb.core.variables import format_plain_text

GLUE_MIME = "application/papermill.record/text/plain"


def glued(nb: dict) -> dict[str, str]:
    """Glue name -> the text {glue:text} renders (myst-nb reads the stored repr back the same way)."""
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                stored = out["data"][GLUE_MIME]
                values[name] = format_plain_text("".join(stored) if isinstance(stored, list) else stored, "")
    return values
