"""How wide a text is in the charts' font, so labels are wrapped and placed by the room they take in the
PNG, never by a count of characters and never cut.

Advance widths of Liberation Sans (metric-compatible with Arial and Helvetica), in 1/1000 em, from the
Helvetica AFM files. A character not listed counts a full em; a bold character not listed, its regular
width plus a tenth.
"""

_ASCII = ([278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278] + [556] * 10
          + [278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556,
             833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
             333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333,
             500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584])  # ASCII 32 to 126
REGULAR = dict(zip(map(chr, range(32, 127)), _ASCII, strict=True)) | {"—": 1000, "…": 1000, "–": 556, "’": 222}
_BOLD = {"'": 238, " ijlI.,/": 278, "ft-()`:;!’": 333, "r": 389, "z": 500, "acekvsxyJ?": 556,
         "bdghnopquFLTZ": 611, "EPSVXY": 667, "ABCDHKNRU&": 722, "wGOQ": 778, "M": 833, "m": 889,
         "W": 944, "—…": 1000}
BOLD = {c: w for chars, w in _BOLD.items() for c in chars}
SAFETY = 1.04  # rendering rounds and kerns a little; better a label a hair too wide than one that touches


def text_width(text: str, size: float = 11, bold: bool = False) -> float:
    """Width in pixels of one line of text in the charts' font (italic is as wide as upright)."""
    if bold:
        units = sum(BOLD.get(c, 1.1 * REGULAR.get(c, 1000)) for c in text)
    else:
        units = sum(REGULAR.get(c, 1000) for c in text)
    return SAFETY * size * units / 1000
