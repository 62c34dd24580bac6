"""A change counter shared by the processes of one machine, in a small file.

`versioning.bump()` increments it once the change is committed; `versioning.current_version()`
reads it and asks the database for the version only when it moved, so a page served from the
cache costs no database round trip at all while nothing changes. The file holds one unsigned
64-bit counter; increments are serialised by `flock`. A reader that ever saw a torn value would
only ask the database once more than needed.

A read is one `pread` and one `stat` of the path (about a microsecond each), never a memory map:
a mapped file that someone truncates kills its readers with SIGBUS. When the file was replaced or
removed (another inode at the path, or none) or is shorter than a counter, every process reopens
the path, creating it if needed, so the processes keep sharing one counter. A restarted counter
begins at a random value, so it never comes back to a value a process remembers from before;
the different value only makes each process ask the database once.

Unavailable (no path configured, or the file cannot be opened), `counter()` is None and every
request asks the database, as before.
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import struct
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
_FORMAT = "<Q"
_SIZE = struct.calcsize(_FORMAT)


class ChangeCounter:
    """The counter in `path`, opened on first use in each process (and again after a fork)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._name = os.fspath(self.path)  # stat()ed on every read: no Path conversion each time
        self._pid = 0
        self._fd = -1
        self._identity: tuple[int, int] = (0, 0)  # (device, inode) of the open file

    def _open(self) -> int:
        """The open file, reopened when this process is a fork or the path no longer names it."""
        if self._fd >= 0 and self._pid == os.getpid():
            try:
                status = os.stat(self._name)
                if (status.st_dev, status.st_ino) == self._identity:
                    return self._fd
            except FileNotFoundError:
                pass
            os.close(self._fd)
        # A descriptor inherited from the parent stays the parent's to close.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o660)
        status = os.fstat(fd)
        self._fd, self._pid, self._identity = fd, os.getpid(), (status.st_dev, status.st_ino)
        return fd

    def read(self) -> int:
        fd = self._open()
        data = os.pread(fd, _SIZE, 0)
        if len(data) < _SIZE:
            data = self._restart(fd)
        return int(struct.unpack(_FORMAT, data)[0])

    def increment(self) -> None:
        fd = self._open()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            data = os.pread(fd, _SIZE, 0)
            value = struct.unpack(_FORMAT, data)[0] if len(data) == _SIZE else secrets.randbits(64)
            os.pwrite(fd, struct.pack(_FORMAT, (value + 1) % 2**64), 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    @staticmethod
    def _restart(fd: int) -> bytes:
        """A new, emptied or truncated file starts from a random value, not from zero: a process
        that last saw the old counter at N must not take a restarted counter that reached N again
        for "nothing changed" (it would keep serving the old version)."""
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            data = os.pread(fd, _SIZE, 0)
            if len(data) < _SIZE:
                data = struct.pack(_FORMAT, secrets.randbits(64))
                os.pwrite(fd, data, 0)
            return data
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
