"""Pure-Python stand-in for ``rpds`` (rpds-py), for the call-file check in the browser only (shipped as ``rpds.py``).

``jsonschema`` ≥ 4.18 and ``referencing`` keep their registries in rpds' persistent
collections, which rpds-py implements in Rust: no wheel runs under the site's Pyodide. This
module gives the few operations they use (insert, remove, discard, update, convert,
push_front…) with the same results, over plain dicts, tuples and frozensets copied on each
change: the registries hold a few schemas, so copying costs nothing. The build (CPython)
uses the real rpds-py; ``tests/test_verifier.py`` checks that the browser's jsonschema
reports the very same problems on every bad fixture.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


class HashTrieMap(Mapping):
    __slots__ = ("_data",)

    def __init__(self, value: Any = (), **kwargs: Any) -> None:
        self._data = dict(value, **kwargs)

    __class_getitem__ = classmethod(lambda cls, _item: cls)  # HashTrieMap[K, V] in annotations

    @classmethod
    def convert(cls, value: Any) -> HashTrieMap:
        return value if isinstance(value, HashTrieMap) else cls(value)

    @classmethod
    def fromkeys(cls, keys: Iterable[Any], value: Any = None) -> HashTrieMap:
        return cls(dict.fromkeys(keys, value))

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __repr__(self) -> str:
        return f"HashTrieMap({self._data!r})"

    def insert(self, key: Any, value: Any) -> HashTrieMap:
        return HashTrieMap({**self._data, key: value})

    def remove(self, key: Any) -> HashTrieMap:
        if key not in self._data:
            raise KeyError(key)
        return self.discard(key)

    def discard(self, key: Any) -> HashTrieMap:
        return HashTrieMap({k: v for k, v in self._data.items() if k != key})

    def update(self, *maps: Any, **kwargs: Any) -> HashTrieMap:
        data = dict(self._data)
        for other in maps:
            data.update(other)
        data.update(kwargs)
        return HashTrieMap(data)


class HashTrieSet:
    __slots__ = ("_data",)

    def __init__(self, value: Iterable[Any] = ()) -> None:
        self._data = frozenset(value)

    __class_getitem__ = classmethod(lambda cls, _item: cls)  # HashTrieMap[K, V] in annotations

    def __contains__(self, item: Any) -> bool:
        return item in self._data

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HashTrieSet) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self._data)

    def __repr__(self) -> str:
        return f"HashTrieSet({set(self._data)!r})"

    def insert(self, item: Any) -> HashTrieSet:
        return HashTrieSet(self._data | {item})

    def discard(self, item: Any) -> HashTrieSet:
        return HashTrieSet(self._data - {item})

    def remove(self, item: Any) -> HashTrieSet:
        if item not in self._data:
            raise KeyError(item)
        return self.discard(item)

    def update(self, *others: Iterable[Any]) -> HashTrieSet:
        return HashTrieSet(self._data.union(*others))


class List:
    __slots__ = ("_data",)

    def __init__(self, value: Iterable[Any] = ()) -> None:
        self._data = tuple(value)

    __class_getitem__ = classmethod(lambda cls, _item: cls)  # HashTrieMap[K, V] in annotations

    def __iter__(self) -> Iterator[Any]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, List) and self._data == other._data

    def __hash__(self) -> int:
        return hash(self._data)

    def __repr__(self) -> str:
        return f"List({list(self._data)!r})"

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self._data)

    @property
    def first(self) -> Any:
        if not self._data:
            raise IndexError("empty list")
        return self._data[0]

    @property
    def rest(self) -> List:
        return List(self._data[1:])

    def push_front(self, item: Any) -> List:
        return List((item, *self._data))

    def drop_first(self) -> List:
        return self.rest
