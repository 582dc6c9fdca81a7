"""Link checks on a built site.

    python scripts/links.py SITE_DIR            # internal links and anchors that do not resolve
    python scripts/links.py SITE_DIR --external # list external links (not checked: no network here)

The test suite runs the internal check; the external listing is for a person with network access.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "iframe": "src", "source": "src"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])  # type: ignore[arg-type]
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute):
            self.links.append(values[attribute])  # type: ignore[arg-type]


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def _target(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def scan(site: Path) -> tuple[list[str], dict[str, set[str]]]:
    """Return (broken internal links, external links → pages that use them)."""
    broken: list[str] = []
    external: dict[str, set[str]] = defaultdict(set)
    ids: dict[Path, set[str]] = {}
    pages = sorted(site.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
    for page, info in parsed.items():
        ids[page] = info.ids
    for page, info in parsed.items():
        page_url = "/" + page.relative_to(site).as_posix()
        for link in info.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                external[link].add(page_url)
                continue
            if parts.scheme in ("mailto", "tel", "data", "blob", "javascript") or link.startswith("//"):
                if parts.scheme == "javascript" or link.startswith("//"):
                    broken.append(f"{page_url}: forbidden link {link!r}")
                continue
            absolute = urlsplit(urljoin(page_url, link))
            target = _target(site, absolute.path) if absolute.path != page_url else page
            if not target.exists():
                broken.append(f"{page_url}: {link} → missing {absolute.path}")
                continue
            if absolute.fragment and target.suffix == ".html":
                known = ids.get(target) or _parse(target).ids
                if unquote(absolute.fragment) not in known:
                    broken.append(f"{page_url}: {link} → no anchor #{absolute.fragment}")
    return broken, external


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--external", action="store_true", help="list external links instead")
    args = parser.parse_args(argv)
    broken, external = scan(args.site)
    if args.external:
        for link in sorted(external):
            print(f"{link}  ({len(external[link])} page(s))")
        return 0
    for line in broken:
        print(line)
    print(f"{len(broken)} broken internal link(s)", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
