"""The book's chart kinds, one function each: rows and the chapter in, a :class:`Figure` out.

Every figure function takes the rows to draw (from the chapter's tables, so they know their
table and ids), the :class:`~surveillance_book.chapter.Chapter`, and keyword choices (name, title,
labels); it returns a :class:`Figure` — the rendered chart and the rows it drew — or, when no
row is known by the chapter's ``as_of``, the chapter's "nothing known" note. The rules every
figure follows live in :mod:`.figure`: name prefixed by the section, sources derived from the
rows, highlight from the chapter, a tooltip on every mark.
"""

from .figure import Figure, nothing_known

__all__ = ["Figure", "nothing_known"]
