"""Stores kept per process (answers, written markup, parsed query strings), bounded in size."""

from __future__ import annotations

from itertools import islice


def keep[K, V](store: dict[K, V], key: K, value: V, limit: int) -> None:
    """`store[key] = value` in a store bounded to `limit` entries: when it is full, the older half
    goes first (dicts keep the order of insertion), so what is asked for now stays."""
    if len(store) >= limit:
        for old in list(islice(store, limit // 2)):
            del store[old]
    store[key] = value
