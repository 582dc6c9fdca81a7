"""Exact money: parsing what people type, one rounding rule, French formatting.

Amounts are :class:`~decimal.Decimal` built from strings, never floats. The single
rounding point is :func:`to_cents`, half-up to the cent, applied once to each budget line's
cost (``hours × hourly_rate``); every total is an exact sum of rounded line costs.

>>> parse_amount("1 234,56")
Decimal('1234.56')
>>> parse_amount("12,345")
Traceback (most recent call last):
  ...
calculators.money.AmountError: « 12,345 » a plus de deux décimales : le montant s'écrit au centime près
(par exemple 12,34 ou 12,35)
>>> format_eur(Decimal("10000"))
'10\\xa0000,00\\xa0€'
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")
"""One billion euros: larger amounts are refused as typing mistakes."""

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")


class AmountError(ValueError):
    """A value that is not a usable amount; the message is French and says what to type."""


def parse_amount(value: object, *, allow_negative: bool = False, what: str = "le montant") -> Decimal:
    """Read an amount typed as a JSON number or a French or English string.

    Accepts ``1234.5``, ``"1234,50"``, ``"1 234,56"`` (with ordinary, non-breaking or narrow
    spaces as thousands separators) and ``"1234 €"``. ``what`` names the value in messages
    (« le montant », « le nombre d'heures »…).

    More than two decimals (``"12,345"``) is refused, never rounded: amounts and hourly rates
    are written to the cent, hours to the hundredth (``1,5`` or ``0,25`` hour). Rounding what
    was typed would change it silently; the only rounding is :func:`to_cents` on ``hours ×
    hourly_rate``. Trailing zeros (``"12,3400"``) change nothing and pass.
    """
    if isinstance(value, bool) or value is None:
        raise AmountError(f"{what} doit être un nombre")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # JSON numbers arrive as float from json.loads; go through repr to keep what was typed.
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError("un nombre fini est attendu")
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = _SPACES.sub("", value.strip().removesuffix("€").strip())
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if not text or not _NUMBER.match(text):
            raise AmountError(f"« {value[:40]} » n'est pas un nombre ; écrivez par exemple 1 234,56")
        number = Decimal(text)
    else:
        raise AmountError(f"{what} doit être un nombre")
    if not number.is_finite():
        raise AmountError("un nombre fini est attendu")
    if number < 0 and not allow_negative:
        raise AmountError(f"{what} ne peut pas être négatif")
    if abs(number) > MAX_AMOUNT:
        raise AmountError(f"{what} dépasse un milliard ; vérifiez la saisie")
    if number != number.quantize(CENT):
        shown = value.strip()[:40] if isinstance(value, str) else str(number).replace(".", ",")
        lower, upper = (number.quantize(CENT, rounding=rounding) for rounding in (ROUND_FLOOR, ROUND_CEILING))
        examples = f"{format_number(lower)} ou {format_number(upper)}"
        precision = "au centième d'heure près" if what == "le nombre d'heures" else "au centime près"
        raise AmountError(f"« {shown} » a plus de deux décimales : {what} s'écrit {precision} (par exemple {examples})")
    try:
        return number.quantize(CENT)  # exact: more than two decimals was refused above
    except InvalidOperation as error:  # pragma: no cover - bounded above
        raise AmountError("montant invalide") from error


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to the cent: the one rounding rule of the calculators' amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_share(value: Decimal) -> Decimal:
    """Round half-up to four decimals: how a share (funder's part of the cost) is written out.

    Only for display in the output: rules compare exact amounts, never a rounded share.

    >>> to_share(Decimal("650") / Decimal("1150"))
    Decimal('0.5652')
    """
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """Machine form with two decimals, as in the JSON output: ``"1150.00"``."""
    return f"{to_cents(value):.2f}"


def group_thousands(integer: str, separator: str = "\u00a0") -> str:
    digits = integer.lstrip("-")
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return ("-" if integer.startswith("-") else "") + separator.join(groups)


def format_number(value: Decimal, decimals: int = 2) -> str:
    """French number: ``1 234,56`` (non-breaking space, decimal comma)."""
    text = f"{value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):.{decimals}f}"
    integer, _, fraction = text.partition(".")
    return group_thousands(integer) + ("," + fraction if fraction else "")


def format_eur(value: Decimal, *, cents: bool = True) -> str:
    """French amount in euros: ``1 234,56 €``; ``cents=False`` drops ``,00`` on round amounts."""
    if not cents and value == value.to_integral_value():
        return format_number(value, 0) + "\u00a0€"
    return format_number(value) + "\u00a0€"


def format_share(share: Decimal) -> str:
    """A share as a French percentage: ``Decimal('0.05')`` → ``5 %``, ``0.125`` → ``12,5 %``."""
    percent = (share * 100).normalize()
    text = format(percent, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + "\u00a0%"
