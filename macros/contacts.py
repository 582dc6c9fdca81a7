"""Who to ask and what to download: a call's official documents and its funders' contacts.

A call file lists the contacts its own text gives (``apply.contacts``); the funders' file
(``calls/_referentiel/financeurs.yaml``) lists each funder's permanent contacts. A call page
shows both, without repeating on the funders' side a contact the call already gives, and
says so plainly when the texts give no way to reach a funder at all — « contactez votre
ARS » is no help without the ARS's address, and an invented one would be worse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from calculators.model import Call, Contact

DOCUMENT_FORMATS = {
    "pdf": "PDF", "docx": "Word (DOCX)", "doc": "Word (DOC)", "odt": "OpenDocument texte (ODT)",
    "xlsx": "Excel (XLSX)", "xls": "Excel (XLS)", "ods": "OpenDocument tableur (ODS)", "zip": "archive ZIP",
    "page-web": "page web",
}
"""How each ``documents[].format`` of the schema is named for visitors."""


class _Funder(Protocol):  # what this module reads from callfiles.corpus.Funder
    id: str
    short_name: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True, slots=True)
class FunderContacts:
    """One funder of a call and the contacts to show for it (none when the texts give none)."""

    funder: _Funder
    contacts: tuple[Contact, ...]


def _ways(contact: Contact) -> set[str]:
    """The addresses a contact gives, compared loosely (case, spaces) to spot the same one twice."""
    values = (contact.email, contact.url, contact.phone)
    return {"".join(v.lower().split()) for v in values if v}


def funder_contacts(call: Call, funders: Sequence[_Funder]) -> tuple[FunderContacts, ...]:
    """For each funder of ``call``: its contacts that the call's own contacts do not already give.

    A funder whose every contact is already in the call's list is left out (nothing new to
    show); a funder with no contact at all is kept with an empty tuple, so that the page can
    say that the texts give none.
    """
    given = set().union(*(_ways(c) for c in call.apply.contacts))
    out = []
    for funder in funders:
        fresh = tuple(c for c in funder.contacts if not _ways(c) or not _ways(c) <= given)
        if funder.contacts and not fresh:
            continue
        out.append(FunderContacts(funder, fresh))
    return tuple(out)


def tel_href(phone: str) -> str:
    """``01 40 56 41 60`` → ``tel:+33140564160`` (the international form every phone dials).

    >>> tel_href("01 40 56 41 60"), tel_href("+33 1 40 56 41 60")
    ('tel:+33140564160', 'tel:+33140564160')
    """
    digits = "".join(phone.split())
    return "tel:" + (digits if digits.startswith("+") else "+33" + digits[1:])


def format_label(value: str) -> str:
    """``"page-web"`` → ``page web`` (see :data:`DOCUMENT_FORMATS`)."""
    return DOCUMENT_FORMATS[value]

