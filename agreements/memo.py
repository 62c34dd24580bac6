"""What a page writes of a shared object, kept as long as that object is the one asked about.

The counting index keeps its answers per interval (every day between two changes has the same
partners: `agreements.counting.FactIndex`), so the pages of two days of one interval are handed the
very same partner rows. Writing them out (a table's markup, a map's figure as JSON) cost more than
counting them; `written` keeps what was written of an object, under the object's identity, and
hands it back while that object is asked about again. An answer the index no longer keeps is a new
object, written afresh: nothing written here outlives the data it was written from, whatever the
data version. The object must not change after it is first written (the index's answers do not).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.urls import get_script_prefix
from django.utils.translation import get_language

from agreements.bounded import keep

# (kind, id of the object, language, script prefix) -> (the object, what was written of it). The
# object is held so that its id cannot be reused by another while the entry exists.
_WRITTEN: dict[tuple[str, int, str, str], tuple[object, object]] = {}
LIMIT = 8192  # entries (a table or a map: about 3 KB on average); when full, the older half goes


def written[T](kind: str, source: object, write: Callable[[], T]) -> T:
    """`write()`, kept for `source` (and the active language and script prefix, which markup and
    its links depend on); `kind` names what is written, since one object can be written twice."""
    key = (kind, id(source), get_language() or "", get_script_prefix())
    kept = _WRITTEN.get(key)
    if kept is not None and kept[0] is source:
        return cast("T", kept[1])
    value = write()
    keep(_WRITTEN, key, (source, value), LIMIT)
    return value
