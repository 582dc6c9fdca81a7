"""Amounts as people type them: exact, or refused with a French message; never silently changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from calculators.money import AmountError, parse_amount


@pytest.mark.parametrize("typed", ["12,345", "12.345", "1 234,565", "0,005", "33,3333"])
def test_an_amount_with_more_than_two_decimals_is_refused_not_rounded(typed):
    """« 12,345 » is not turned into 12,35: the message quotes what was typed and the two amounts to the cent around it."""
    with pytest.raises(AmountError) as error:
        parse_amount(typed)
    message = str(error.value)
    assert f"« {typed} »" in message
    assert "plus de deux décimales" in message and "au centime près" in message


def test_the_message_names_the_value_and_offers_the_cents_on_either_side():
    """12,345 lies between 12,34 and 12,35; an hourly rate is named as such."""
    with pytest.raises(AmountError) as error:
        parse_amount("12,345", what="le taux horaire")
    assert str(error.value) == ("« 12,345 » a plus de deux décimales : le taux horaire s'écrit au centime près "
                                "(par exemple 12,34 ou 12,35)")


def test_a_json_number_with_three_decimals_is_refused_too():
    """The JSON number 1.005 (a Decimal once decoded) is refused like the text « 1,005 »."""
    with pytest.raises(AmountError, match="« 1,005 »"):
        parse_amount(Decimal("1.005"))


def test_hours_take_up_to_two_decimals():
    """1,5 h and 0,25 h are accepted; 1,333 h is refused « au centième d'heure près »."""
    assert parse_amount("1,5", what="le nombre d'heures") == Decimal("1.5")
    assert parse_amount("0,25", what="le nombre d'heures") == Decimal("0.25")
    with pytest.raises(AmountError, match="au centième d'heure près"):
        parse_amount("1,333", what="le nombre d'heures")


@pytest.mark.parametrize(("typed", "value"), [("12,34", "12.34"), ("12,3400", "12.34"), ("1 234,5", "1234.5"), (7, "7")])
def test_two_decimals_or_fewer_and_trailing_zeros_are_accepted_exactly(typed, value):
    """Trailing zeros change nothing, so « 12,3400 » is 12,34 exactly."""
    assert parse_amount(typed) == Decimal(value)
