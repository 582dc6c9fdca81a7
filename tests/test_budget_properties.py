"""Properties of the budget calculator that hold for every budget, checked on generated ones."""

from __future__ import annotations

import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculators.api import decode_input, evaluate

SEED_CALLS = ("cpam-flandres-2025", "cpam-val-de-marne-2026", "occitanie-1000-jours-2021")
CATEGORIES = ("personnel", "materiel", "communication", "formation", "deplacements", "location_salle", "coordination",
              "investissement", "fonctionnement_structure", "restauration", "hebergement", "actes_medicaux", "autre")

# CPAM des Flandres, seed 001, § 3 c) 1. « Indemnisation des professionnels » — written here from
# the text, not read from the call file, so that the property checks the file too.
FLANDRES_CAPS = {
    **dict.fromkeys(("medecin", "sage_femme", "chirurgien_dentiste"), Decimal("75")),
    **dict.fromkeys(("pharmacien", "infirmier", "masseur_kinesitherapeute", "orthophoniste", "orthoptiste",
                     "pedicure_podologue", "psychomotricien"), Decimal("60")),
    **dict.fromkeys(("aide_soignant", "dieteticien", "psychologue"), Decimal("50")),
    **dict.fromkeys(("coordinateur", "educateur_sportif", "animateur", "autre_non_professionnel_sante"), Decimal("40")),
}
CAP_RULE = "plafonds-horaires"

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cents = st.integers(min_value=0, max_value=5_000_000)          # up to 50 000,00 €
hundredths = st.integers(min_value=0, max_value=20_000)         # up to 200 hours, or 200 €/h


def money(value: int) -> str:
    """Cents as the plain string the input accepts: ``12345`` → ``"123.45"``."""
    return f"{Decimal(value) / 100:.2f}"


@st.composite
def lines(draw, professions=tuple(FLANDRES_CAPS)):
    """One budget line and its cost in cents, computed here by hand (half-up to the cent)."""
    line: dict[str, object] = {"category": draw(st.sampled_from(CATEGORIES))}
    if draw(st.booleans()):
        hours, rate = draw(hundredths), draw(hundredths)
        line.update(category="personnel", hours=money(hours), hourly_rate=money(rate))
        if draw(st.integers(0, 4)):
            line["profession"] = draw(st.sampled_from(professions))
        cost = int((Decimal(hours) * Decimal(rate) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        cost = draw(cents)
        line["amount"] = money(cost)
    choice = draw(st.sampled_from(("whole", "part", "in_kind")))
    if choice == "in_kind":
        line["in_kind"] = True
        funder = 0
    elif choice == "part":
        funder = draw(st.integers(0, cost))
        line["funder"] = money(funder)
    else:
        funder = cost
    return line, cost, funder, choice == "in_kind"


@st.composite
def budgets(draw):
    """A budget input with the expected cents of each line: ``(input, [[(cost, funder, in_kind), …], …])``."""
    actions, figures = [], []
    for _ in range(draw(st.integers(0, 4))):
        drawn = draw(st.lists(lines(), max_size=6))
        actions.append({"title": "Action", "lines": [d[0] for d in drawn]})
        figures.append([d[1:] for d in drawn])
    statuses = st.sampled_from(("requested", "obtained"))
    cofunders = [{"name": f"Cofinanceur {n}", "amount": money(draw(cents)), "status": draw(statuses)}
                 for n in range(draw(st.integers(0, 3)))]
    return {"actions": actions, "cofunders": cofunders}, figures


def run(corpus, call_id: str, data: object) -> dict:
    """Evaluate as the command line does: through the JSON text."""
    return evaluate("budget", corpus.calls[call_id], corpus.vocabulary, decode_input(json.dumps(data)))


@SETTINGS
@given(budget=budgets(), call_id=st.sampled_from(SEED_CALLS))
def test_totals_are_the_sums_of_the_lines_to_the_cent(corpus, budget, call_id):
    """Cost, funder and in-kind totals are the exact sums of the lines, and funder + co-funding = cost."""
    data, figures = budget
    totals = run(corpus, call_id, data)["totals"]
    flat = [f for action in figures for f in action]
    cost = sum(c for c, _, _ in flat)
    funder = sum(f for _, f, _ in flat)
    assert totals["cost"] == money(cost)
    assert totals["funder"] == money(funder)
    assert totals["in_kind"] == money(sum(c for c, _, k in flat if k))
    assert totals["cofunding"] == money(cost - funder)
    assert Decimal(totals["funder"]) + Decimal(totals["cofunding"]) == Decimal(totals["cost"])
    if cost:
        share = (Decimal(funder) / Decimal(cost)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        assert totals["funder_share"] == f"{share:.4f}"
    else:
        assert totals["funder_share"] is None


@SETTINGS
@given(budget=budgets(), data=st.data())
def test_a_rate_above_its_cap_is_an_error_on_that_line(corpus, budget, data):
    """At the CPAM des Flandres, a line gets a cap error exactly when its rate exceeds its profession's cap."""
    actions, _ = budget
    if not actions["actions"]:
        actions["actions"] = [{"lines": []}]
    # Raise one line (possibly a new one) above its cap, by at least one cent.
    a = data.draw(st.integers(0, len(actions["actions"]) - 1))
    target = actions["actions"][a]["lines"]
    profession = data.draw(st.sampled_from(sorted(FLANDRES_CAPS)))
    over = FLANDRES_CAPS[profession] + Decimal(data.draw(st.integers(1, 10_000))) / 100
    raised = {"category": "personnel", "profession": profession, "hours": data.draw(st.sampled_from(("1", "0,5", "12"))),
              "hourly_rate": f"{over:.2f}"}
    i = data.draw(st.integers(0, len(target)))
    target.insert(i, raised)
    output = run(corpus, "cpam-flandres-2025", actions)
    errors = {(f["action"], f["line"]) for f in output["findings"] if f["rule"] == CAP_RULE and f["severity"] == "error"}
    assert (a, i) in errors
    assert output["ok"] is False
    # Every line asked in full above its cap is an error; no line at or below its cap ever is.
    # (Lines partly co-funded or in kind above the cap are left out: the text does not say.)
    above, asked_in_full = set(), set()
    for n, action in enumerate(actions["actions"]):
        for m, line in enumerate(action["lines"]):
            profession = line.get("profession")
            if profession and "hourly_rate" in line and Decimal(line["hourly_rate"]) > FLANDRES_CAPS[profession]:
                above.add((n, m))
                if "funder" not in line and not line.get("in_kind"):
                    asked_in_full.add((n, m))
    assert asked_in_full <= errors <= above


def _mapped(output: dict, origin: dict[tuple[int, int], tuple[int, int]]) -> Counter:
    """Findings as a multiset, each line finding tied to the line's place in the original budget."""
    return Counter((f["rule"], f["severity"], f["message"], f["reference"],
                    None if f["line"] is None else origin[(f["action"], f["line"])]) for f in output["findings"])


@SETTINGS
@given(budget=budgets(), call_id=st.sampled_from(SEED_CALLS), data=st.data())
def test_the_result_does_not_depend_on_the_order_of_lines(corpus, budget, call_id, data):
    """Shuffling actions, lines within actions and co-funders changes neither totals, ok, nor the findings."""
    original, _ = budget
    action_order = data.draw(st.permutations(range(len(original["actions"]))))
    shuffled_actions, origin = [], {}
    for new_a, old_a in enumerate(action_order):
        old_lines = original["actions"][old_a]["lines"]
        line_order = data.draw(st.permutations(range(len(old_lines))))
        shuffled_actions.append({"title": "Action", "lines": [old_lines[i] for i in line_order]})
        origin.update({(new_a, new_l): (old_a, old_l) for new_l, old_l in enumerate(line_order)})
    shuffled = {"actions": shuffled_actions, "cofunders": data.draw(st.permutations(original["cofunders"]))}
    identity = {(a, n): (a, n) for a, action in enumerate(original["actions"]) for n in range(len(action["lines"]))}
    before, after = run(corpus, call_id, original), run(corpus, call_id, shuffled)
    assert after["totals"] == before["totals"]
    assert after["ok"] == before["ok"]
    assert _mapped(after, origin) == _mapped(before, identity)


def french(value: int, separator: str) -> str:
    """Cents written the French way: ``123456`` → ``"1 234,56"`` with the given thousands separator."""
    euros, rest = divmod(value, 100)
    digits = str(euros)
    groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
    return separator.join(groups) + f",{rest:02d}"


@SETTINGS
@given(value=st.integers(min_value=0, max_value=99_999_999_999), separator=st.sampled_from((" ", "\u00a0", "\u202f")),
       call_id=st.sampled_from(SEED_CALLS), shape=st.sampled_from(("amount", "funder", "cofunder", "rate")))
def test_amounts_written_in_any_accepted_form_give_the_same_result(corpus, value, separator, call_id, shape):
    """« 1 234,56 », « 1234.56 », « 1234,56 € » and the JSON number 1234.56 are the same amount."""
    forms = [french(value, separator), money(value), money(value).replace(".", ","), french(value, separator) + " €",
             float(money(value)), Decimal(money(value))]
    if value % 100 == 0:
        forms.append(value // 100)

    def budget(amount: object) -> dict:
        if shape == "amount":
            return {"actions": [{"lines": [{"category": "autre", "amount": amount}]}]}
        if shape == "funder":
            return {"actions": [{"lines": [{"category": "autre", "amount": "1000000000", "funder": amount}]}]}
        if shape == "rate":
            return {"actions": [{"lines": [{"category": "personnel", "profession": "psychologue", "hours": "1",
                                            "hourly_rate": amount}]}]}
        return {"actions": [{"lines": [{"category": "autre", "amount": "1000000000", "funder": "0"}]}],
                "cofunders": [{"name": "Ville", "amount": amount}]}

    call, vocabulary = corpus.calls[call_id], corpus.vocabulary
    results = []
    for form in forms:
        results.append(evaluate("budget", call, vocabulary, budget(form)))            # from Python
        if not isinstance(form, Decimal):
            results.append(run(corpus, call_id, budget(form)))                       # through the JSON text
    assert all(result == results[0] for result in results), (forms, results)
