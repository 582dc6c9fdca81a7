"""The skip link of every page: first in the tab order, it moves the focus to the content.

Material renders its « Aller au contenu » link only when the page's table of contents has an
entry, and points it at that first entry. On the generated pages the title is an HTML
``<h1>`` that the table of contents does not list, so the link skipped the title and summary
of a call page, skipped the whole simulator on the calculator pages, and was missing from the
checklists. ``overrides/main.html`` wraps the content in ``<div id="contenu" tabindex="-1">``;
this points the link there, on every page.
"""

from __future__ import annotations

import re

TARGET = "contenu"
LINK = f'<a href="#{TARGET}" class="md-skip">Aller au contenu</a>'

_MATERIAL_SKIP = re.compile(r'(<div data-md-component="skip">).*?(</div>)', re.S)


def skip_to_content(html: str) -> str:
    """Make Material's skip link (present or not) a link to ``#contenu``.

    >>> skip_to_content('<div data-md-component="skip">\\n</div><div id="contenu" tabindex="-1">')
    '<div data-md-component="skip"><a href="#contenu" class="md-skip">Aller au contenu</a></div><div id="contenu" tabindex="-1">'
    """
    if f'id="{TARGET}"' not in html:
        return html  # the 404 page, whose content block Material replaces: no target, no link
    return _MATERIAL_SKIP.sub(lambda match: match.group(1) + LINK + match.group(2), html, count=1)


# Material's search box is a ``role="dialog"`` with no accessible name (axe's aria-dialog-name,
# which Lighthouse counts): a screen reader announces « dialogue » and nothing else. Its header
# partial is not a block that an override could amend, so the name is added here. Should the
# search change markup, the pattern no longer matches and nothing else is touched.
SEARCH_NAME = "Recherche dans le site"
_MATERIAL_SEARCH = re.compile(r'<div class="md-search" data-md-component="search" role="dialog"(?![^>]*aria-label)')


def name_search_dialog(html: str) -> str:
    """Give Material's search dialog an accessible name.

    >>> name_search_dialog('<div class="md-search" data-md-component="search" role="dialog">')
    '<div class="md-search" data-md-component="search" role="dialog" aria-label="Recherche dans le site">'
    """
    return _MATERIAL_SEARCH.sub(lambda match: f'{match.group(0)} aria-label="{SEARCH_NAME}"', html, count=1)
