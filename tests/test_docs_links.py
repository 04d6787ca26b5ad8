"""Code comments cite the repository's own docs (docs/*.md#section): every file and section they name exists, so a
maintainer following a citation lands on the text it points to, and renaming a heading cannot silently orphan them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIPPED = {".venv", ".git", "node_modules", "vendor", "var", "media", "staticfiles", "__pycache__"}
CITATION = re.compile(r"docs/([\w-]+\.md)(?:#([\w-]+))?")
DOC_LINK = re.compile(r"\]\(([\w-]+\.md)(?:#([\w-]+))?\)")  # a link between docs pages
IN_PAGE = re.compile(r"\]\(#([\w-]+)\)")  # a link within a docs page


def slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown viewers) give a heading: lower case, punctuation dropped, spaces to
    hyphens; accented letters kept."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    found: set[str] = set()
    in_code = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (match := re.match(r"#{1,6}\s+(.*)", line)):
            found.add(slug(match.group(1)))
    return found


def sources() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        if path.suffix in {".py", ".html", ".md", ".txt", ".js"} and not SKIPPED & set(path.relative_to(ROOT).parts):
            files.append(path)
    return files


def test_the_slug_rule() -> None:
    assert slug("The agenda page") == "the-agenda-page"
    assert slug("Meetings and the agenda") == "meetings-and-the-agenda"
    assert slug("Sécurité / Security") == "sécurité--security"
    assert slug("`make bench`: figures") == "make-bench-figures"


def test_every_citation_of_docs_names_an_existing_section() -> None:
    known = {doc.name: anchors(doc) for doc in DOCS.glob("*.md")}
    broken = []
    for path in sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        links = [*CITATION.findall(text)]
        if path.parent == DOCS:
            links += DOC_LINK.findall(text)
            links += [(path.name, anchor) for anchor in IN_PAGE.findall(text)]
        for name, anchor in links:
            if name not in known:
                broken.append(f"{path.relative_to(ROOT)}: docs/{name} does not exist")
            elif anchor and anchor not in known[name]:
                broken.append(f"{path.relative_to(ROOT)}: docs/{name}#{anchor} names no section")
    assert not broken, "\n".join(sorted(set(broken)))
