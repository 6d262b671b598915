"""The redirect files written by a process of their own while the articles convert.

On a large site the main process is the run's bottleneck: it reads the
source, feeds the conversion processes and records what they wrote, while
they wait on it.  Writing the redirect files (1.3 million old URLs on a
20,000-article site: several seconds) used to come after all that; a
process of its own now writes them from the settled map on disk meanwhile.

Like the conversion workers it is started before the run reads anything,
so that a forked one shares little more than the imported modules and a
spawned one (macOS, Windows) works alike, and it gets its job through a
pipe once the map is built: the map's file, its owners, where to write.
Its memory (58 MB at 20,000 articles) adds to the conversion's peak.  When
the map changes after the job was sent (articles that failed to convert
lose their redirects), the job is cancelled and the files are written
again in the main process; so they are when the writer dies (killed by
the OOM killer, say).  Either way the files are the same bytes.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..errors import MigrationError
from .limits import Output
from .store import RouteStore, StoredRedirectSet
from .writers import write_redirects


_DOING = "writing the redirect files"


class WriterDied(MigrationError):
    """The writer process ended without an answer (killed: the OOM killer, a signal); the main process can
    write the files itself."""


class RedirectWriter:
    """A process waiting for one job: ``start`` sends it, ``result`` waits for the ``Output`` list and
    the HTML report's old URL per page (``StoredRedirectSet.shortest_old_by_target``): one more query of
    the map, done here while the articles convert rather than in the main process after them."""

    def __init__(self, *, start_method: str | None = None) -> None:
        from ..transform import start_deaf  # the conversion workers' start, shared

        context = multiprocessing.get_context(start_method)  # the platform's, as the conversion workers'
        jobs_in, self._jobs = context.Pipe(duplex=False)
        self._answers, answers_out = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(jobs_in, answers_out), daemon=True,
                                       name="joomla2jekyll-redirects")
        start_deaf(self.process, jobs_in, answers_out)

    def start(self, redirects: StoredRedirectSet, out_dir: Path, formats: set[str] | frozenset[str], *,
              install_dir: Path | None = None) -> None:
        """Send the job: the settled map (by its file; it is read, never changed) and where to write."""
        job = (redirects.store.path, redirects.owners, redirects.conflicts, redirects.warnings,
               Path(out_dir), frozenset(formats), Path(install_dir) if install_dir else None)
        try:
            self._jobs.send(job)
        except OSError:
            pass  # it died: result() says so

    def result(self) -> tuple[list[Output], dict[str, tuple[str, int]]]:
        """The files' ``Output``s once written, and the old URL per page; what the writer raised is raised here."""
        from ..transform import receive_answer

        return receive_answer(self._answers, self.process, WriterDied, _DOING)

    def cancel(self) -> None:
        """Stop it at once, whatever it is doing: its files are not wanted (the run failed, or the map changed)."""
        if self.process.is_alive():
            self.process.kill()  # before anything removes its folder: it would make it again
        self.process.join()

    def close(self) -> None:
        self.cancel()
        self._jobs.close()
        self._answers.close()


def _serve(jobs: Connection, answers: Connection) -> None:
    from ..transform import ignore_ctrl_c, send_answer

    ignore_ctrl_c()
    parent = multiprocessing.parent_process()
    try:
        # A forked writer holds the parent's end of the pipe too: its end of file never comes, its death does.
        if parent is not None and parent.sentinel in wait([jobs, parent.sentinel]):
            return
        path, owners, conflicts, warnings, out_dir, formats, install_dir = jobs.recv()
    except (EOFError, OSError):
        return  # the run needed no files after all, or it is over

    def write() -> tuple[list[Output], dict[str, tuple[str, int]]]:
        store = RouteStore.opened(path)
        try:
            redirects = StoredRedirectSet(store, owners, conflicts, warnings)
            outputs = write_redirects(redirects, out_dir, formats, install_dir=install_dir)
            return outputs, redirects.shortest_old_by_target()
        finally:
            store.close()

    send_answer(answers, write, _DOING)
