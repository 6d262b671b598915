"""Progress as an object handed in, so the library never draws anything.

The CLI passes a click progress bar; tests and library callers get the
do-nothing default and never branch on "is there a bar".
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def note(self, message: str) -> None:
        """A phase begins whose length is not known (reading, planning)."""

    def start(self, total: int, label: str) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def note(self, message: str) -> None:
        pass

    def start(self, total: int, label: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass
