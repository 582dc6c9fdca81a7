"""Corpus checks over every call file: valid, named by id, in order, references and quotes resolve."""

from __future__ import annotations

import pytest
from conftest import CALLS

from callfiles.sources import fragments, normalize

SOURCES = CALLS / "_sources"
SEED_IDS = {
    "cpam-val-de-marne-2026": "cpam-val-de-marne-2026.txt",
    "cpam-flandres-2025": "cpam-flandres-2025.txt",
    "occitanie-1000-jours-2021": "occitanie-1000-jours-2021.txt",
    "cadre-national-1000-jours-2022": "cadre-national-1000-jours-2022.txt",
    "cadre-national-1000-jours-2021": "cadre-national-1000-jours-2021.txt",
}


def test_every_call_file_is_loaded_under_its_file_name(corpus):
    """Each YAML file of calls/ becomes one call whose id is its file name."""
    stems = {p.stem for p in CALLS.glob("*.yaml")}
    assert set(corpus.calls) == stems


def test_the_seed_calls_are_present(corpus):
    """The five source texts are encoded under the ids PRODUCT.md gives."""
    assert set(SEED_IDS) <= set(corpus.calls)
    assert corpus.calls["cadre-national-1000-jours-2021"].kind == "framework"
    assert corpus.calls["occitanie-1000-jours-2021"].framework == "cadre-national-1000-jours-2021"


def test_the_2022_table_lists_all_eighteen_regions(corpus):
    """Every region of the 2022 table is there: twelve run a call and have a call file, six do not."""
    regional = corpus.calls["cadre-national-1000-jours-2022"].regional_calls
    assert len(regional) == 18 == len(corpus.vocabulary.regions)
    running = [r for r in regional if r.runs_call]
    assert len(running) == 12
    for region in running:
        assert region.call in corpus.calls, region.region
        assert corpus.calls[region.call].regions == (region.region,)
    assert {r.region for r in regional if not r.runs_call} == {
        "guadeloupe", "guyane", "martinique", "mayotte", "normandie", "la-reunion"}


def test_a_deadline_published_as_a_venir_stays_unknown(corpus):
    """« A venir » in the table is an unknown date, not a guessed one."""
    bretagne = corpus.calls["bretagne-1000-jours-2022"]
    assert [m.when.kind for m in bretagne.deadlines] == ["unknown"]
    assert bretagne.deadlines[0].when.dates == ()


def test_flandres_keeps_both_alternative_dates_of_wave_2(corpus):
    """« 16 avril ou 7 mai 2025 » is kept as two possible dates, not one invented date."""
    flandres = corpus.calls["cpam-flandres-2025"]
    review = [m for m in flandres.milestones if m.kind == "review" and m.wave == "Vague 2"][0]
    assert review.when.kind == "one_of"
    assert [d.isoformat() for d in review.when.dates] == ["2025-04-16", "2025-05-07"]


@pytest.mark.parametrize("call_id", sorted(SEED_IDS))
def test_milestones_of_each_wave_are_in_order(corpus, call_id):
    """Within a wave, a deadline never falls after that wave's commission, council or results."""
    from callfiles.checks import KIND_RANK

    call = corpus.calls[call_id]
    for a in call.milestones:
        for b in call.milestones:
            same_wave = not a.wave or not b.wave or a.wave == b.wave
            if same_wave and KIND_RANK[a.kind] < KIND_RANK[b.kind] and a.when.earliest and b.when.latest:
                assert a.when.earliest <= b.when.latest, (a.id, b.id)


def _calls_with_source(corpus):
    for call in corpus.calls.values():
        if call.source.file:
            yield call


def test_every_rule_quote_is_found_in_its_source_text(corpus):
    """Each rule's quote is the call's own sentence: every passage of it occurs in the source text.

    Checked here with the plain normalised text, independently of the build's citation search.
    """
    missing = []
    for call in _calls_with_source(corpus):
        source = normalize((SOURCES / call.source.file).read_text(encoding="utf-8"))
        for rule in (*call.budget_rules, *call.eligibility_rules):
            for fragment in fragments(rule.info.quote):
                if fragment not in source:
                    missing.append(f"{call.id} / {rule.info.id}: « {fragment} »")
    assert not missing, "\n".join(missing)


def test_every_source_file_is_in_the_project(corpus):
    """The source each call names is one of the texts of calls/_sources/, each described in its README."""
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    for call in _calls_with_source(corpus):
        assert (SOURCES / call.source.file).is_file(), call.id
    for text in SOURCES.glob("*.txt"):
        assert f"`{text.name}`" in readme, text.name
    assert {SEED_IDS[c] for c in SEED_IDS} == {p.name for p in SOURCES.glob("*.txt")}


def test_the_seed_calls_name_their_own_text(corpus):
    """The five seed texts are named by the calls PRODUCT.md maps them to; the 2022 regional calls share the national page."""
    for call_id, name in SEED_IDS.items():
        assert corpus.calls[call_id].source.file == name
    regional = [r.call for r in corpus.calls["cadre-national-1000-jours-2022"].regional_calls if r.call]
    assert {corpus.calls[c].source.file for c in regional} == {"cadre-national-1000-jours-2022.txt"}


def test_every_item_carries_a_reference(corpus):
    """Rules, dates, expenses and obligations all say where they come from."""
    for call in corpus.calls.values():
        items = [*call.milestones, *call.eligible_expenses, *call.ineligible_expenses, *call.obligations,
                 *call.themes, *call.publics, *call.funding, *call.selection_criteria]
        assert all(item.reference.strip() for item in items), call.id
        assert all(rule.info.reference.strip() and rule.info.quote.strip()
                   for rule in (*call.budget_rules, *call.eligibility_rules)), call.id


def test_every_funder_referenced_has_a_description(corpus):
    """Funders named in call files exist, with a French name and description."""
    for call in corpus.calls.values():
        for funder in call.funders:
            assert corpus.funders[funder].description


def test_seed_facts(corpus):
    """Key figures of the texts are in the data: deadlines, ratios and thresholds."""
    vdm = corpus.calls["cpam-val-de-marne-2026"]
    assert [m.when.dates[0].isoformat() for m in vdm.deadlines] == ["2026-02-28"]
    kinds = {r.info.kind: r for r in vdm.eligibility_rules}
    assert str(kinds["working_capital"].max_share) == "0.25"
    assert kinds["structure_types"].allowed == ("association",)
    occitanie = corpus.calls["occitanie-1000-jours-2021"]
    deadline = occitanie.deadlines[0].when
    assert (deadline.dates[0].isoformat(), deadline.time) == ("2021-07-25", "23:59")
    budget = {r.info.kind: r for r in occitanie.budget_rules}
    assert str(budget["min_total_cost"].min) == "10000"
    assert str(budget["max_funder_share"].max_share) == "0.9"
    flandres = {r.info.kind: r for r in corpus.calls["cpam-flandres-2025"].budget_rules}
    caps = {g.max for g in flandres["hourly_rate_cap"].groups}
    assert {str(c) for c in caps} == {"75", "60", "50", "40"}
    assert str(flandres["category_share_cap"].max_share) == "0.05"
