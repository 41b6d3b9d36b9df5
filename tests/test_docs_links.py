"""Every relative link of the README and the docs reaches a file of the repository, and its #anchor a
heading of that file, so a reader following the README's path never lands on nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", flags=re.M | re.S)


def prose(page: Path) -> str:
    """The page without its code blocks (a `[x](y)` in a code sample is not a link)."""
    return FENCE.sub("", page.read_text())


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", prose(page), flags=re.M):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(page: Path) -> list[str]:
    return [t for t in LINK.findall(prose(page)) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_the_readme_links_to_every_page_of_the_docs() -> None:
    links = relative_links(REPO / "README.md")
    linked = {(REPO / t.split("#", 1)[0]).resolve() for t in links if t.startswith("docs/")}
    assert set(PAGES[1:]) - linked == set()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_reaches_a_file_and_a_heading(page: Path) -> None:
    links = relative_links(page)
    broken = []
    for target in links:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or not file.resolve().is_relative_to(REPO):
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(file):
            broken.append(f"{target}: no heading #{anchor} in {file.relative_to(REPO)}")
    assert broken == []


def test_the_anchors_are_githubs() -> None:
    """The slug rule the link check relies on, on headings of this repository's docs."""
    assert slug("Preflight: the real account before the first `pulumi up`") == (
        "preflight-the-real-account-before-the-first-pulumi-up"
    )
    assert slug("Role names outside TKG's PassRole") == "role-names-outside-tkgs-passrole"
    assert slug("The install order, from an empty account to a running cluster") == (
        "the-install-order-from-an-empty-account-to-a-running-cluster"
    )
