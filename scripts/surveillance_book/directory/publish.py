"""The profiles' web pages: each profile's HTML (``profile.page``) in the page Sphinx built for them all.

Sphinx builds one page for the profiles, the shell (``org/profile_shell.md``, at the profiles' depth, so
that its links to the book's pages and files hold for every profile): a title, one section, and a
citation of every source. After the HTML build, :func:`publish` writes each profile into it: its title
(the page's title and heading), its sections (the page's contents), its body (the article) and its
citations, as the shell shows them (so a profile cites as the chapters do, linking the list of sources).
The shell's own page is then removed; it is kept out of the search index (``nosearch``).
"""

import json
import re
from pathlib import Path

from ..console import BuildError
from ..files import write_if_changed
from .entities import FOLDERS
from .html import text
from .profile import CITATIONS, PREFIX

SHELL = "org/profile_shell.md"  # an underscore: no id can name a page the same (entities.ADDRESS)
PAGE = ".json"  # a profile as profile.page gives it, written by the directory
TITLE, SECTION = "profile-shell-title", "profile-shell-section"
CITE = re.compile(r"^\{cite:p\}`([^`]+)`$", re.MULTILINE)
CITATION = re.compile(r'<span class="bibtex-citation" id="[^"]*">\((.*?)\)</span>', re.DOTALL)


def shell_page(keys) -> str:
    """The shell's MyST source: in the web edition only, not searched; a citation of each key."""
    cites = "\n\n".join(f"{{cite:p}}`{key}`" for key in sorted(set(map(str, keys))))
    return f"---\norphan: true\nnosearch: true\n---\n\n# {TITLE}\n\n## {SECTION}\n\n{cites}\n"


def _article(shell: str) -> tuple[int, int]:
    """Where the shell's article text starts and ends: its one top section."""
    start = shell.find(f'<section id="{TITLE}">')
    end = shell.rfind("</section>", start, shell.find("</article>", start))
    if start < 0 or end < 0:
        raise BuildError(f"the profiles' page ({PREFIX}{SHELL}) has no article in its HTML; has the theme changed?")
    return start, end + len("</section>")


def _template(shell: str, keys: list[str]) -> tuple[list[str], str, dict[str, str]]:
    """The shell cut round the places a profile fills (title, contents, body), the markup of one entry of
    the contents, and each key's citation as the shell shows it."""
    start, end = _article(shell)
    cited = CITATION.findall(shell[start:end])
    if len(cited) != len(keys):
        raise BuildError(f"the profiles' page shows {len(cited)} citation(s) for {len(keys)} source(s)")
    entry = re.search(rf'<li[^>]*><a[^>]*href="#{SECTION}"[^>]*>{SECTION}</a></li>', shell)
    if entry is None:
        raise BuildError("the profiles' page has no contents to fill; has the theme changed?")
    outer = shell[:start] + "\0body\0" + shell[end:]
    outer = outer.replace(entry.group(), "\0contents\0").replace(TITLE, "\0title\0")
    if "profile-shell" in outer or "profile_shell" in outer:
        at = max(outer.find("profile-shell"), outer.find("profile_shell"))
        raise BuildError(f"the profiles' page names itself where a profile would not: {outer[at - 80:at + 40]!r}")
    return outer.split("\0"), entry.group(), dict(zip(keys, cited, strict=True))


def _filled(pieces: list[str], entry: str, citations: dict[str, str], page: dict) -> str:
    contents = "".join(entry.replace(f"#{SECTION}", f"#{anchor}").replace(f">{SECTION}<", f">{text(title)}<")
                       for anchor, title in page["contents"])
    cited = "; ".join(citations[key] for key in page["cite"])
    slots = {"title": text(page["title"]), "contents": contents,
             "body": page["body"].replace(CITATIONS, f'<p><span class="bibtex-citation">({cited})</span></p>')}
    # pieces alternate: text of the shell, a slot's name, text of the shell, ...
    return "".join(slots[p] if i % 2 else p for i, p in enumerate(pieces))


def publish(html_dir: Path, target: Path) -> int:
    """Write every profile's page into the built HTML (``html_dir``) from the pages in ``target`` (the
    directory's sources); remove the pages of profiles no longer there, and the shell's own page. How many
    pages were written."""
    out = html_dir / PREFIX
    shell_html = out / SHELL.replace(".md", ".html")
    keys = CITE.findall((target / SHELL).read_text(encoding="utf-8"))
    pieces, entry, citations = _template(shell_html.read_text(encoding="utf-8"), keys)
    written = 0
    for folder in FOLDERS.values():
        pages = {p.stem: p for p in (target / folder).glob(f"*{PAGE}")}
        for stem, path in pages.items():
            page = json.loads(path.read_text(encoding="utf-8"))
            unknown = [key for key in page["cite"] if key not in citations]
            if unknown:  # the shell cites every source of the data: an older page, written from other data
                raise BuildError(f"{path}: cites {', '.join(unknown)}, not in data/sources.csv")
            written += write_if_changed(out / folder / f"{stem}.html", _filled(pieces, entry, citations, page))
        for built in (out / folder).glob("*.html"):  # Sphinx's own pages there: the shell, and redirects
            if built.stem not in pages and not (target / folder / f"{built.stem}.md").is_file():
                built.unlink()
    shell_html.unlink()
    return written
