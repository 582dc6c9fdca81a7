"""Official documents and contacts: linked from the call, checklist and funder pages, never invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

from calculators.model import Contact, call_from_data
from callfiles.corpus import Funder
from macros.contacts import funder_contacts, tel_href
from macros.pages import environment

VAL_DE_MARNE_SITE = "https://appelsprojets-prevention-cpam94.fr/"  # seed 000, § 5
VAL_DE_MARNE_EMAIL = "subventions.cpam-val-de-marne@assurance-maladie.fr"  # seed 000, § 5
FLANDRES_PORTAL = "https://www.partenaires.services-cpam-flandres.fr/"  # seed 001, « Comment y répondre ? »
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def article(site: Path, url: str) -> str:
    page = (site / url / "index.html").read_text(encoding="utf-8")
    return page[page.index("<article"):page.index("</article>")]


def section(html: str, heading_id: str) -> str:
    """The HTML from the heading ``heading_id`` to the next h2 (or the end of the article)."""
    start = html.index(f'id="{heading_id}"')
    following = html.find("<h2", start)
    return html[start:following if following != -1 else len(html)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- build: call, checklist and funder pages ---------------------------------------------

def test_the_source_section_links_the_official_documents_with_their_format(site):
    """« Texte source » of the Val-de-Marne call links its application files' page, said to be a web page."""
    source = section(article(site, "appels/cpam-val-de-marne-2026"), "texte-source")
    assert re.search(rf'<a href="{re.escape(VAL_DE_MARNE_SITE)}" rel="noopener">Dossiers de demande de l&#39;appel à projets</a>'
                     r' <span class="aap-doc-format">\(page web\)</span>', source)
    assert "Documents officiels" in source


def test_every_document_of_every_call_is_linked_from_its_call_and_checklist_pages(site, corpus):
    """Each ``documents`` entry of each call file is a link on the call page and on its checklist."""
    with_documents = [call for call in corpus.calls.values() if call.documents]
    assert with_documents
    for call in with_documents:
        pages = [article(site, f"appels/{call.id}")]
        if call.kind == "call":
            pages.append(article(site, f"appels/{call.id}/checklist"))
        for html in pages:
            for document in call.documents:
                assert f'href="{document.url}"' in html, (call.id, document.title)


def test_a_funders_contact_shows_on_its_calls_page_and_checklist(site):
    """The CPAM des Flandres' partner portal is under « Contacter le financeur » and in the checklist's contacts."""
    call = section(article(site, "appels/cpam-flandres-2025"), "contacter-financeurs")
    assert "Contacter le financeur" in text(call)
    assert f'Page web : <a href="{FLANDRES_PORTAL}" rel="noopener">' in call
    assert "nous contacter" in text(call)
    checklist = article(site, "appels/cpam-flandres-2025/checklist")
    contacts = checklist[checklist.index('id="documents-et-contacts"'):]
    assert f'href="{FLANDRES_PORTAL}"' in contacts
    assert "ne donne l'adresse d'aucun document officiel" in text(contacts).replace("&#39;", "'")


def test_a_call_saying_contact_your_ars_or_dreets_names_them_and_says_no_address_is_known(site):
    """Bretagne 2022 (« contactez votre ARS ou votre DREETS »): both funders, linked, each said to have no published address."""
    html = section(article(site, "appels/bretagne-1000-jours-2022"), "contacter-financeurs")
    for funder_id, name in (("ars-bretagne", "ARS Bretagne"), ("dreets-bretagne", "DREETS Bretagne")):
        assert (f'<a href="../../financeurs/{funder_id}/">{name}</a> : '
                "les textes publiés sur ce site ne donnent pas ses coordonnées") in html
    assert "mailto:" not in html and "tel:" not in html  # nothing made up


def test_a_contact_the_call_already_gives_is_not_repeated_for_its_funder(site):
    """The Val-de-Marne call gives the funder's own address: it is on the page once, with no « Contacter » section."""
    html = article(site, "appels/cpam-val-de-marne-2026")
    assert html.count(f'href="mailto:{VAL_DE_MARNE_EMAIL}"') == 1
    assert 'id="contacter-financeurs"' not in html


def test_the_funder_page_lists_its_contacts_with_french_labels(site):
    """A funder page has « Contacts »: the CPAM's email with « Courriel », or an honest sentence when no text gives one."""
    cpam = section(article(site, "financeurs/cpam-val-de-marne"), "contacts")
    assert f'Courriel : <a href="mailto:{VAL_DE_MARNE_EMAIL}">{VAL_DE_MARNE_EMAIL}</a>' in cpam
    assert "Cahier des charges de l&#39;appel à projets 2026" in cpam  # where the address comes from
    ministry = section(article(site, "financeurs/ministere-solidarites-sante"), "contacts")
    assert 'href="mailto:1000premiersjours@sg.social.gouv.fr"' in ministry
    ars = section(article(site, "financeurs/ars-bretagne"), "contacts")
    assert "ne donnent pas ses coordonnées" in ars and "mailto:" not in ars


def test_a_phone_number_is_a_labelled_tel_link(site):
    """« Tél. : 01 40 56 41 60 » of the 2021 instruction's header is « Téléphone » with a tel: link."""
    html = article(site, "appels/cadre-national-1000-jours-2021")
    assert 'Téléphone : <a href="tel:+33140564160">01 40 56 41 60</a>' in html


def test_the_open_data_carries_the_documents_and_the_schema_describes_them(site):
    """/donnees/appels/<id>.json keeps each document; /donnees/schema.json describes the key in French."""
    data = json.loads((site / "donnees/appels/cpam-val-de-marne-2026.json").read_text(encoding="utf-8"))
    assert data["documents"] == [{"title": "Dossiers de demande de l'appel à projets", "url": VAL_DE_MARNE_SITE,
                                  "format": "page-web", "reference": "§ 5 « Modalités de dépôt des dossiers »"}]
    schema = json.loads((site / "donnees/schema.json").read_text(encoding="utf-8"))
    assert "documents officiels" in schema["properties"]["documents"]["description"]


def test_the_open_data_lists_every_funder_with_its_contacts(site, corpus):
    """/donnees/financeurs.json has every funder of the referentiel; the CPAM des Flandres' portal with its
    reference; none invented for the others."""
    funders = {f["id"]: f for f in json.loads((site / "donnees/financeurs.json").read_text(encoding="utf-8"))["funders"]}
    assert funders.keys() == corpus.funders.keys()
    assert [(c["url"], c["reference"]) for c in funders["cpam-flandres"]["contacts"]] == [
        (FLANDRES_PORTAL, "Note de cadrage « Actions collectives ASS », exercice 2025, § 2 « Comment y répondre ? »")]
    assert "contacts" not in funders["ars-bretagne"]


def test_the_publishing_page_documents_the_new_fields(site):
    """« Publier un appel » (generated from the schema) has a row for the documents and the contacts' new fields."""
    page = (site / "publier" / "index.html").read_text(encoding="utf-8")
    for field in ("documents[].url", "documents[].format", "documents[].size", "apply.contacts[].phone",
                  "apply.contacts[].address", "apply.contacts[].url"):
        assert field in page, field
    assert "page-web" in page


# --- the rule for repeated contacts, and phone links -------------------------------------

def _call(contacts: list[dict[str, str]]):
    return call_from_data({"id": "x", "kind": "call", "title": "X", "funders": ["a", "b"], "source": {"title": "T"},
                           "summary": "S", "milestones": [], "apply": {"contacts": contacts}})


def _funder(funder_id: str, *contacts: Contact) -> Funder:
    return Funder(funder_id, funder_id.upper(), funder_id.upper(), "ars", "", contacts=contacts)


def test_funder_contacts_leave_out_what_the_call_gives_and_keep_funders_without_any():
    """A contact the call gives (same email, case and spaces aside) is not repeated; a funder with none is kept, empty."""
    known = Contact("Accueil", email="Accueil@Exemple.fr", reference="§ 1")
    other = Contact("Standard", phone="01 02 03 04 05", reference="§ 1")
    call = _call([{"label": "Accueil de l'appel", "email": "accueil@exemple.fr"}])
    result = funder_contacts(call, [_funder("a", known, other), _funder("b")])
    assert [(entry.funder.id, entry.contacts) for entry in result] == [("a", (other,)), ("b", ())]
    only_known = funder_contacts(call, [_funder("a", known)])
    assert only_known == ()


def test_a_contact_shows_each_way_to_reach_it_under_its_french_label():
    """Web page, email, phone and postal address each get their French label; markup in a value stays text."""
    contact = Contact("Accueil <b>", email="a@exemple.fr", url="https://exemple.fr/contact", phone="03 28 00 00 00",
                      address="2 rue de la Gare\n59140 Dunkerque <i>", note="Du lundi au vendredi.", reference="§ 2")
    html = environment().get_template("_contact.html.j2").render(contact=contact)
    assert "<strong>Accueil &lt;b&gt;</strong>" in html
    assert 'Page web : <a href="https://exemple.fr/contact" rel="noopener">https://exemple.fr/contact</a>' in html
    assert 'Courriel : <a href="mailto:a@exemple.fr">a@exemple.fr</a>' in html
    assert 'Téléphone : <a href="tel:+33328000000">03 28 00 00 00</a>' in html
    assert 'Adresse postale : <span class="aap-address">2 rue de la Gare\n59140 Dunkerque &lt;i&gt;</span>' in html
    assert html.endswith('<span class="aap-ref" data-search-exclude>(§ 2)</span></li>')


def test_phone_links_use_the_international_form():
    """« 03 28 00 00 00 » dials as tel:+33328000000; an international number keeps its own prefix."""
    assert tel_href("03 28 00 00 00") == "tel:+33328000000"
    assert tel_href("+33 3 28 00 00 00") == "tel:+33328000000"


# --- in the browser ----------------------------------------------------------------------

STUB = "<!doctype html><html lang='fr'><title>Document officiel (test)</title><h1>Page du financeur</h1></html>"


def test_a_visitor_sees_and_follows_the_document_link_and_sees_the_contact(site, serve, new_page):
    """On the Val-de-Marne call page, desktop and phone: the document link is visible and opens the funder's page;
    the email is a mailto link."""
    base = serve(site)
    for viewport in (WIDE, PHONE):
        page, log = new_page(viewport=viewport)
        # The funder's site is answered locally: the test sends no request to a third-party host.
        page.route(f"{VAL_DE_MARNE_SITE}**", lambda route: route.fulfill(status=200, content_type="text/html", body=STUB))
        page.goto(base + "appels/cpam-val-de-marne-2026/", wait_until="networkidle")
        link = page.get_by_role("link", name="Dossiers de demande de l'appel à projets")
        link.scroll_into_view_if_needed()
        assert link.is_visible()
        assert page.locator("#documents-officiels").is_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]  # not cut off on a phone
        mail = page.get_by_role("link", name=VAL_DE_MARNE_EMAIL)
        mail.scroll_into_view_if_needed()
        assert mail.is_visible() and mail.get_attribute("href") == f"mailto:{VAL_DE_MARNE_EMAIL}"
        assert "Courriel" in mail.locator("xpath=..").inner_text()
        link.click()
        page.wait_for_url(VAL_DE_MARNE_SITE)
        assert page.locator("h1").inner_text() == "Page du financeur"
        assert log.errors == []
        page.close()


def test_a_visitor_finds_the_funders_contact_on_a_call_page_and_its_checklist(site, serve, new_page):
    """On the Flandres call page and checklist, the CPAM's partner portal is a visible link under a French heading."""
    base = serve(site)
    page, log = new_page(viewport=PHONE)
    page.route(f"{FLANDRES_PORTAL}**", lambda route: route.fulfill(status=200, content_type="text/html", body=STUB))
    page.goto(base + "appels/cpam-flandres-2025/", wait_until="networkidle")
    heading = page.locator("#contacter-financeurs")
    heading.scroll_into_view_if_needed()
    assert heading.inner_text().strip().startswith("Contacter le financeur")
    portal = page.locator(f'.aap-funder-contacts a[href="{FLANDRES_PORTAL}"]')
    assert portal.is_visible()
    page.goto(base + "appels/cpam-flandres-2025/checklist/", wait_until="networkidle")
    contacts = page.locator("#documents-et-contacts")
    contacts.scroll_into_view_if_needed()
    assert "Documents officiels et contacts" in contacts.inner_text()
    portal = contacts.locator(f'a[href="{FLANDRES_PORTAL}"]')
    assert portal.is_visible()
    portal.click()
    page.wait_for_url(FLANDRES_PORTAL)
    assert log.errors == []
