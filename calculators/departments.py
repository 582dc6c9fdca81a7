"""French department codes in the order people read them in official lists.

Codes are strings: ``"01"`` … ``"19"``, ``"2A"``, ``"2B"`` (Corsica's two departments, which
took the place of 20), ``"21"`` … ``"95"``, then the overseas ``"971"`` … ``"976"``. Sorted as
strings, ``"2A"`` would come after ``"29"``; as JavaScript object keys, ``"10"`` … ``"976"``
would come before ``"01"`` … ``"09"``. Every list of departments (model, pages, forms) is put in
this order by :func:`department_key`.
"""

from __future__ import annotations

from collections.abc import Iterable

UNKNOWN_RANK = 10_000  # a code of another shape goes last, in string order


def department_key(code: str) -> tuple[int, str]:
    """Sort key of a department code: ``"09"`` → (90, ""), ``"2A"`` → (200, "A"), ``"971"`` → (9710, "").

    >>> sorted(["971", "2B", "10", "09", "2A", "19", "21"], key=department_key)
    ['09', '10', '19', '2A', '2B', '21', '971']
    """
    if code.isdigit():
        return int(code) * 10, ""
    if len(code) > 1 and code[:-1].isdigit() and code[-1].isalpha():
        return int(code[:-1]) * 100, code[-1]  # "2A": department 20, split in two
    return UNKNOWN_RANK * 10, code


def in_reading_order(codes: Iterable[str]) -> tuple[str, ...]:
    """``codes`` sorted by :func:`department_key` (duplicates kept, as given)."""
    return tuple(sorted(codes, key=department_key))
