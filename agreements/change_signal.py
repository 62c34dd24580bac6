"""A change counter shared by the processes of one machine, in a memory-mapped file.

`versioning.bump()` increments it once the change is committed; `versioning.current_version()`
reads it (a memory read, no system call) and asks the database for the version only when it
moved, so a page served from the cache costs no database round trip at all while nothing
changes. The file holds one unsigned 64-bit counter; increments are serialised by `flock`.
A reader that ever saw a torn value would only ask the database once more than needed.

Unavailable (no path configured, or the file cannot be opened), `counter()` is None and every
request asks the database, as before.
"""

from __future__ import annotations

import fcntl
import logging
import mmap
import os
import struct
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
_FORMAT = "<Q"
_SIZE = struct.calcsize(_FORMAT)


class ChangeCounter:
    """The counter in `path`, mapped on first use in each process (and again after a fork)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._pid = 0
        self._fd = -1
        self._map: mmap.mmap | None = None

    def _mapped(self) -> tuple[int, mmap.mmap]:
        if self._map is None or self._pid != os.getpid():
            if self._map is not None:  # inherited from the parent: this process maps its own
                self._map.close()
                os.close(self._fd)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o660)
            if os.fstat(fd).st_size < _SIZE:
                os.ftruncate(fd, _SIZE)  # zero-filled; a file already this long is left alone
            self._fd, self._map, self._pid = fd, mmap.mmap(fd, _SIZE), os.getpid()
        return self._fd, self._map

    def read(self) -> int:
        return int(struct.unpack_from(_FORMAT, self._mapped()[1])[0])

    def increment(self) -> None:
        fd, mapped = self._mapped()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            value = struct.unpack_from(_FORMAT, mapped)[0]
            struct.pack_into(_FORMAT, mapped, 0, (value + 1) % 2**64)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


_counters: dict[str, ChangeCounter | None] = {}


def counter() -> ChangeCounter | None:
    """The configured counter, or None when it is off or cannot be opened (logged once)."""
    path = settings.AEO_CHANGE_SIGNAL_FILE
    if path not in _counters:
        found: ChangeCounter | None = None
        if path:
            try:
                found = ChangeCounter(Path(path))
                found.read()
            except OSError as error:
                logger.warning(
                    "change counter %s unavailable, reading the version every time: %s", path, error
                )
                found = None
        _counters[path] = found
    return _counters[path]
