"""The redirect files written by a process of their own while the articles convert.

On a large site the main process is the run's bottleneck: it reads the
source, feeds the conversion processes and records what they wrote, while
they wait on it.  Writing the redirect files (1.3 million old URLs on a
20,000-article site: several seconds) used to come after all that; a forked
process now writes them from the settled map on disk meanwhile.

Only where ``fork`` is safe (Linux): the child reads the map through its own
SQLite connection and never runs the parent's clean-up.  Elsewhere, and when
the map changes after the start (articles that failed to convert lose their
redirects), the files are written in the main process, as before.  Either
way the files are the same bytes.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from ..errors import MigrationError
from .limits import Output
from .records import RedirectSet
from .store import StoredRedirectSet
from .writers import write_redirects


def can_fork() -> bool:
    """Whether a forked copy of this process may run Python: on Linux; macOS forbids it of its frameworks."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class BackgroundWrite:
    """``write_redirects`` in a forked process; :meth:`result` waits for its ``Output`` list."""

    def __init__(self, redirects: StoredRedirectSet, out_dir: Path, formats: set[str] | frozenset[str], *,
                 install_dir: Path | None = None) -> None:
        from ..transform import deaf_to_ctrl_c  # the conversion workers' start, shared

        context = multiprocessing.get_context("fork")
        self._answer, child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_write, args=(child_end, redirects, out_dir, formats, install_dir),
                                       daemon=True, name="joomla2jekyll-redirects")
        try:
            with deaf_to_ctrl_c():
                self.process.start()
        finally:
            child_end.close()

    def result(self) -> list[Output]:
        """The files' ``Output``s once written; what the writer raised is raised here."""
        try:
            kind, value = self._answer.recv()
        except EOFError:
            self.process.join(1)
            raise MigrationError(f"the process writing the redirect files died (exit code "
                                 f"{self.process.exitcode})") from None
        finally:
            self._answer.close()
        self.process.join()
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        """Stop it at once: its files are not wanted (the run failed, or the map changed)."""
        if self.process.is_alive():
            self.process.kill()  # before anything removes its folder: it would make it again
        self.process.join()
        self._answer.close()


def _write(answer: Connection, redirects: StoredRedirectSet, out_dir: Path, formats: set[str] | frozenset[str],
           install_dir: Path | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's: it stops us
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    redirects.store.reopen()  # the parent's connection is the parent's
    try:
        answer.send(("ok", write_redirects(redirects, out_dir, formats, install_dir=install_dir)))
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the main process raises it
        try:
            answer.send(("error", exc))
        except Exception:  # noqa: BLE001 - not picklable: its text then
            answer.send(("error", MigrationError(f"writing the redirect files failed: {type(exc).__name__}: {exc}")))


def write_beside(redirects: RedirectSet, out_dir: Path, formats: set[str] | frozenset[str], *,
                 install_dir: Path | None = None) -> BackgroundWrite | None:
    """Start writing the redirect files beside the conversion, where that is possible; else None."""
    if not (can_fork() and isinstance(redirects, StoredRedirectSet) and formats):
        return None
    return BackgroundWrite(redirects, out_dir, formats, install_dir=install_dir)
