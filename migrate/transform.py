"""Article -> post text, the CPU-heavy step, run on every core.

Each worker receives chunks of articles with their plan entries and returns
the post files as text; writing stays in the main process (the sink).  Work
is fed in a bounded window, so the main process reads only a window's worth
of the dump ahead of what it has written.

The workers are our own processes, each with a pipe in and a pipe out, and
no lock shared with the main process: a worker that dies (killed, or crashed
in C on an article) is noticed and replaced, and stopping the lot never
waits on one.  Ctrl-C is the main process's alone; the workers ignore it and
are stopped by it.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import pickle
import queue
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import resource_tracker
from multiprocessing.connection import Connection, wait
from pathlib import PurePath
from typing import Any, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from bs4.builder import ParserRejectedMarkup

from .convert import ConvertOptions, join_article
from .convert.links import MapPending
from .convert.plugin_mosimage import expand_mosimage
from .errors import ArticleError, MigrationError
from .joomla.model import Article
from .joomla.model import ARTICLE
from .posts import PlannedArticle, front_matter, full_image_html, k2_image
from .rerun import article_fingerprint
from .sinks.jekyll import render_post, stage_file


@dataclass(frozen=True)
class RenderOptions:
    timezone: str
    convert: ConvertOptions = ConvertOptions()
    # By article id; K2 items by their key ``("k2", id)`` (PlannedArticle.key).
    redirect_from: dict[int | tuple[str, int], list[str]] = field(default_factory=dict)
    permalinks: dict[tuple[str, int], str] = field(default_factory=dict)  # --keep-urls, by PlannedArticle.key
    # The run's staging folder: set, the process that converts a post writes it there and sends back only
    # its hash (the main process, which reads the source and writes everything else, is the run's bottleneck).
    staging_dir: str | None = None


@dataclass(frozen=True)
class LateOptions:
    """The run's options while the old URL map is still being built (``PendingPaths``).

    The conversion starts with ``early``; an article whose links need the map
    comes back ``deferred`` and is converted again with ``final()`` (which
    waits for the map, and raises what building it raised) in its place.
    """

    early: RenderOptions
    ready: Callable[[], bool]
    final: Callable[[], RenderOptions]


@dataclass(slots=True)
class Rendered:
    id: int
    text: str | None = None  # the post file; None when written to RenderOptions.staging_dir (``sha``) or failed
    sha: str | None = None  # of the post file written into the staging folder
    fingerprint: str | None = None  # of the article and its plan entry (rerun.article_fingerprint), for the cache
    fatal: BaseException | None = None  # writing the post failed: the main process raises it, the run fails
    error: str | None = None  # why the article has no post (then ``text`` is None)
    warnings: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    # Set when the error is a bug of ours, not the article's bad content: the
    # exception and the line it was raised at, the same for every article one
    # bug breaks (``TypeError at convert/html.py:412 in convert_a``).
    crash: str | None = None
    kind: str = ARTICLE  # with ``id``, the key of the plan entry (PlannedArticle.key)
    deferred: bool = False  # its links need the old URL map, not built yet (LateOptions): converted again later

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def crashed(self) -> bool:
        return self.crash is not None


#: What an article's own content can make the conversion raise: absurd nesting
#: (RecursionError), text that is not text (UnicodeError, a ValueError), a date
#: or number out of range (ValueError, OverflowError), markup the parser refuses,
#: and our own ArticleError.  The article is skipped with the reason; anything
#: else is a bug and counts as a crash.
BAD_CONTENT = (ArticleError, ValueError, OverflowError, RecursionError, ParserRejectedMarkup)


def render_article(article: Article, planned: PlannedArticle, options: RenderOptions) -> Rendered:
    """Convert one article; a failure is this article's, and one that is a bug says so (``crash``)."""
    try:
        introtext, fulltext = expand_mosimage(article.introtext, article.fulltext, article.images.get("mosimage"))
        intro = full_image_html(article.images) + introtext
        conversion = join_article(intro, fulltext, options.convert)
        root = options.convert.joomla_root
        meta = front_matter(article, planned, ZoneInfo(options.timezone), has_liquid=conversion.has_liquid,
                            joomla_root=root)
        if planned.key in options.permalinks:
            meta["permalink"] = options.permalinks[planned.key]
        redirected = options.redirect_from.get(planned.id if planned.kind == ARTICLE else planned.key)
        if redirected:
            meta["redirect_from"] = redirected
        images = list(conversion.images)
        own_image = k2_image(article, root)
        if own_image and own_image not in images:
            images.append(own_image)
        rendered = Rendered(
            id=article.id,
            kind=article.kind,
            text=render_post(meta, conversion.markdown),
            fingerprint=article_fingerprint(article, planned),
            warnings=list(conversion.warnings),
            images=images,
            broken_links=list(conversion.broken_links),
        )
    except MapPending:
        return Rendered(id=article.id, kind=article.kind, deferred=True)
    except BAD_CONTENT as exc:
        return Rendered(id=article.id, kind=article.kind, error=f"conversion failed: {type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a bug: this article fails, the pipeline counts the crashes
        last = traceback.format_exception_only(exc)[-1].strip()
        where = _innermost(exc)
        return Rendered(id=article.id, kind=article.kind, error=f"conversion crashed: {last} ({where})",
                        crash=f"{type(exc).__name__} at {where}")
    if options.staging_dir:
        # Outside the conversion's try: a file that cannot be written (a full disk, a permission) is not the
        # article's fault nor a bug of the conversion, and fails the run, as it did when the main process wrote it.
        try:
            rendered.sha = stage_file(options.staging_dir, planned.path or "", rendered.text or "")
            rendered.text = None
        except (OSError, MigrationError) as exc:
            rendered.fatal = exc
    return rendered


#: More articles than this broken by one same bug fail the run; fewer are odd articles, listed in the report.
CRASH_LIMIT = 5


@dataclass
class Outcomes:
    """What became of the articles converted: enough to tell a broken conversion from a few bad articles."""

    converted: int = 0
    failed: int = 0
    first_failed: tuple[int, str] | None = None  # (article id, error)
    crashes: Counter[str] = field(default_factory=Counter)  # crash signature -> articles
    first_crashed: dict[str, int] = field(default_factory=dict)  # crash signature -> first article id

    def add(self, rendered: Rendered) -> None:
        self.converted += 1
        if rendered.error is None:
            return
        self.failed += 1
        self.first_failed = self.first_failed or (rendered.id, rendered.error)
        if rendered.crash is not None:
            self.crashes[rendered.crash] += 1
            self.first_crashed.setdefault(rendered.crash, rendered.id)

    def check(self) -> None:
        """Raise MigrationError (the run writes nothing) when the conversion is broken, not a few articles.

        Broken: one bug (one ``crash`` signature) broke more than CRASH_LIMIT
        articles, or more than half of the articles converted failed, for
        whatever reason.  A single failure never is: one article of one
        converted (a re-run where only it changed) is that article's failure.
        """
        if self.crashes:
            crash, count = self.crashes.most_common(1)[0]
            if count > CRASH_LIMIT:
                raise MigrationError(
                    f"the conversion failed on {count} of {self.converted} articles with an error of this tool, "
                    f"not of the articles ({crash}; the first is article {self.first_crashed[crash]}); "
                    "nothing was changed in the site: please report it"
                )
        if self.first_failed is not None and self.failed > 1 and self.failed * 2 > self.converted:
            article, error = self.first_failed
            raise MigrationError(f"{self.failed} of {self.converted} articles failed to convert (article {article}: "
                                 f"{error}); nothing was changed in the site")


def _innermost(exc: BaseException) -> str:
    """Where an exception was raised, the same on every machine: ``convert/html.py:412 in convert_a``."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown place"
    frame = frames[-1]
    return f"{'/'.join(PurePath(frame.filename).parts[-2:])}:{frame.lineno} in {frame.name}"


def _process_died(article_id: int, how: str, kind: str = ARTICLE) -> Rendered:
    return Rendered(id=article_id, kind=kind, error=f"conversion crashed: its conversion process died ({how})",
                    crash=f"conversion process {how}")


_worker_options: tuple[str, RenderOptions] | None = None  # (the file they came from, the options)


def _options_from(path: str) -> RenderOptions:
    """The run's options, read once per worker from the file the parent wrote them to."""
    global _worker_options
    if _worker_options is None or _worker_options[0] != path:
        with open(path, "rb") as fh:
            _worker_options = (path, pickle.load(fh))
    return _worker_options[1]


#: How much lower the conversion processes' priority is than the main process's (``os.nice``).
WORKER_NICENESS = 10
#: Articles per message to a worker.
CHUNK = 32
#: Chunks in flight per worker: it never waits for the next while the main process writes.
AHEAD = 4


def _render_chunk(path: str, chunk: list[tuple[Article, PlannedArticle]]) -> list[Rendered]:
    options = _options_from(path)
    return [render_article(article, planned, options) for article, planned in chunk]


def job_count(requested: int) -> int:
    return requested if requested > 0 else (os.cpu_count() or 1)


# -- a worker's side ---------------------------------------------------------------

def ignore_ctrl_c() -> None:
    """The first thing a process of ours does (``start_deaf`` started it): Ctrl-C is the main process's,
    which stops us; then end the hold it was started under (see ``_deaf_to_ctrl_c``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _serve(tasks: Connection, results: Connection) -> None:
    """A worker: render each chunk that comes in and send back what it gave, until told to stop."""
    ignore_ctrl_c()
    gc.enable()  # parse trees need it: a process forked while no_cycle_collection had it off would inherit that
    if hasattr(os, "nice"):
        # The main process (reading, the map) and the redirect writer are the run's critical path; the
        # conversion takes what they leave.  On two cores, un-niced workers starved the map's thread and
        # it ended after the conversion (38 s against 31 s at 20,000 articles).
        os.nice(WORKER_NICENESS)
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_take_tasks, args=(tasks, inbox), daemon=True).start()
    while (task := inbox.get()) is not None:
        path, chunk = task
        rendered = _render_chunk(path, chunk)
        try:
            results.send(rendered)
        except OSError:
            return  # the main process stopped listening: it is stopping us


def _take_tasks(tasks: Connection, inbox: queue.SimpleQueue) -> None:
    """Read tasks as soon as they come, so the main process never blocks sending one.

    (It may be busy writing, not reading our results: were we not reading
    either, both would wait for ever.)  When the main process is gone, so
    are we, whatever we were doing.
    """
    parent = multiprocessing.parent_process()
    watched: list = [tasks] + ([parent.sentinel] if parent is not None else [])
    while True:
        try:
            ready = wait(watched)
            if parent is not None and parent.sentinel in ready:
                os._exit(0)
            task = tasks.recv()
        except (EOFError, OSError):
            os._exit(0)
        except Exception:  # noqa: BLE001 - a task that cannot be read is a bug: die, and the main process notices
            traceback.print_exc()
            os._exit(1)
        inbox.put(task)
        if task is None:
            return


# -- the main process's side -------------------------------------------------------

@contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Start workers that ignore Ctrl-C from their first instruction on.

    They inherit SIGINT ignored (a spawned Python keeps it ignored, and so does
    a fork server started here), and held back, which the worker ends once it
    ignores Ctrl-C itself.  Else a Ctrl-C in the moment a worker starts (a
    spawned one imports for a while) prints its KeyboardInterrupt traceback.
    The main process holds back a Ctrl-C that comes meanwhile, and gets it
    when the worker is started.
    """
    held = hasattr(signal, "pthread_sigmask")  # not on Windows: there the worker ignores Ctrl-C from _serve on
    if held:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if handler is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        if held:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def start_deaf(process: multiprocessing.process.BaseProcess, *its_ends: Connection) -> None:
    """Start a process of ours deaf to Ctrl-C, then close the pipe ends it was given: only it holds
    them now, so its death closes them, which the main process sees."""
    try:
        with _deaf_to_ctrl_c():
            process.start()
    finally:
        for end in its_ends:
            end.close()


def send_answer(answers: Connection, work: Callable[[], Any], doing: str) -> None:
    """In a process of ours with one job (the map, the redirect files): do ``work`` and send the main
    process its value, or what it raised (``receive_answer`` raises it there)."""
    try:
        answer: tuple = ("ok", work())
    except BaseException as exc:  # noqa: BLE001 - whatever it is, the main process raises it
        answer = ("error", exc)
    try:
        answers.send(answer)
    except Exception:  # noqa: BLE001 - an exception that does not pickle: its text then
        answers.send(("error", MigrationError(f"{doing} failed: {answer[1]!r}")))


def receive_answer(answers: Connection, process: multiprocessing.process.BaseProcess,
                   died: Callable[[str], MigrationError], doing: str) -> Any:
    """What ``send_answer`` sent, or what the work raised, raised here; ``died`` when the process ended
    without an answer (killed: the OOM killer, a signal)."""
    try:
        kind, value = answers.recv()
    except (EOFError, OSError):
        process.join(1)
        raise died(f"the process {doing} died (exit code {process.exitcode})") from None
    if kind == "error":
        raise value
    return value


@dataclass(eq=False)
class _Task:
    """Articles sent to a worker as one message, and what came back."""

    path: str  # the options file
    chunk: list[tuple[Article, PlannedArticle]]
    result: list[Rendered] | None = None
    parts: list["_Task"] | None = None  # its articles sent again one by one, after its worker died on it

    @property
    def done(self) -> bool:
        return all(p.done for p in self.parts) if self.parts is not None else self.result is not None

    def rendered(self) -> list[Rendered]:
        if self.parts is not None:
            return [r for p in self.parts for r in p.rendered()]
        return self.result or []

    def deferred(self) -> list[tuple[Article, PlannedArticle]]:
        """Of a done task, the articles that came back ``deferred``, in order (``receive`` kept them)."""
        if self.parts is not None:
            return [item for p in self.parts for item in p.deferred()]
        return self.chunk


class _Worker:
    """One conversion process, its pipe in and pipe out, and its tasks in the order it does them."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        task_end, self.tasks_pipe = context.Pipe(duplex=False)
        self.results_pipe, result_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_serve, args=(task_end, result_end), daemon=True,
                                       name="joomla2jekyll-convert")
        start_deaf(self.process, task_end, result_end)
        self.tasks: deque[_Task] = deque()
        self.answered = False

    def send(self, task: _Task) -> None:
        self.tasks.append(task)
        try:
            self.tasks_pipe.send((task.path, task.chunk))
        except OSError:
            pass  # it died: its death is noticed while waiting for results, and its tasks are sent again

    def receive(self) -> bool:
        """File the results that arrived under their tasks; False when the process is dead."""
        try:
            while self.results_pipe.poll():
                result = self.results_pipe.recv()
                task = self.tasks.popleft()
                # Only the articles to convert again (``deferred``) are kept: the others' bodies are done with.
                task.result = result
                task.chunk = [item for item, r in zip(task.chunk, result) if r.deferred]
                self.answered = True
        except (EOFError, OSError):
            return False
        return self.process.is_alive()

    def close(self) -> None:
        self.tasks_pipe.close()
        self.results_pipe.close()


class Workers:
    """The conversion processes of a run, started before it reads anything.

    With ``fork`` (the default on Linux up to Python 3.13) a worker shares
    the parent's memory until either writes to it: started late, after the
    plan and the redirect map were built, every worker ended up with copies
    of the pages it allocates into, so memory grew with the site.  Started
    first, they share little more than the imported modules, and get the
    run's options later through a file (the only way with ``spawn`` and
    ``forkserver`` anyway, whose workers share nothing).

    The start method is the platform's default (``spawn`` on macOS and
    Windows): ``fork`` is unsafe where it is not the default.  ``spawn`` and
    ``forkserver`` import the caller's main module again in every worker, so
    a script calling the library there needs an ``if __name__ == "__main__":``
    guard (``python -m migrate`` has one).
    """

    #: Workers that die this many times before any worker sent back anything are not coming up.
    MAX_FAILED_STARTS = 3

    def __init__(self, jobs: int, *, start_method: str | None = None) -> None:
        self.jobs = job_count(jobs)
        self._context = multiprocessing.get_context(start_method)
        self._workers: list[_Worker] = []
        self._folder: str | None = None
        self._written = itertools.count()  # options files: a run may send two (LateOptions)
        self._came_up = False  # a worker sent back results
        self._failed_starts = 0
        # Called before a replacement is started: a run building its map on a thread waits for it
        # (UrlMap.wait_built), since a lock the thread holds at a fork would stay held in the child.
        self.before_fork: Callable[[], None] = lambda: None
        if self.jobs > 1:
            if os.name == "posix" and self._context.get_start_method() != "fork":
                # Started by the first spawned worker, the resource tracker would
                # end the hold on Ctrl-C that worker is started under.
                resource_tracker.ensure_running()
            try:
                for _ in range(self.jobs):
                    self._workers.append(_Worker(self._context))
            except BaseException:
                self.close()
                raise

    @property
    def parallel(self) -> bool:
        return bool(self._workers)

    def options_file(self, options: RenderOptions) -> str:
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="joomla2jekyll-options-")
        path = os.path.join(self._folder, f"options-{next(self._written)}.pickle")
        with open(path, "wb") as fh:
            pickle.dump(options, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def send(self, task: _Task) -> None:
        min(self._workers, key=lambda w: len(w.tasks)).send(task)

    def collect(self) -> None:
        """Wait until results arrive or a worker dies, and deal with what came."""
        busy = [w for w in self._workers if w.tasks]
        if not busy:
            raise RuntimeError("waiting for results no worker was asked for")  # a bug: never wait for ever
        ready = set(wait([w.results_pipe for w in busy] + [w.process.sentinel for w in busy]))
        for worker in busy:
            if worker.results_pipe in ready or worker.process.sentinel in ready:
                alive = worker.receive()
                self._came_up = self._came_up or worker.answered
                if not alive:
                    self._replace(worker)

    def _replace(self, dead: _Worker) -> None:
        """A worker died (killed, or crashed in C): start another and send its tasks again.

        The task it was on goes again article by article, so the article
        that kills a process is found, and only that one fails.
        """
        dead.process.join(1)
        how = _how_it_ended(dead.process.exitcode)
        if not self._came_up:
            self._failed_starts += 1
        if self._failed_starts >= self.MAX_FAILED_STARTS:
            hint = "" if self._context.get_start_method() == "fork" else (
                f" (with the {self._context.get_start_method()} start method, a script calling the library "
                "needs an `if __name__ == \"__main__\":` guard)")
            raise MigrationError(f"the conversion processes stop as soon as they start ({how}){hint}")
        dead.close()
        self.before_fork()
        self._workers[self._workers.index(dead)] = _Worker(self._context)
        lost = list(dead.tasks)
        if not lost:
            return
        first, again = lost[0], lost[1:]
        if len(first.chunk) == 1:
            first.result, first.chunk = [_process_died(first.chunk[0][0].id, how, first.chunk[0][0].kind)], []
        else:
            first.parts = [_Task(first.path, [item]) for item in first.chunk]
            again = first.parts + again
        for task in again:
            self.send(task)

    def close(self) -> None:
        """Stop the workers at once, whatever they are doing, and never wait long for one."""
        for worker in list(self._workers):
            if worker.process.is_alive():
                worker.process.terminate()
        deadline = time.monotonic() + 2.0
        for worker in list(self._workers):
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            worker.close()
            self._workers.remove(worker)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def render_all(
    items: Iterable[tuple[Article, PlannedArticle]], options: RenderOptions | LateOptions, *, jobs: int,
    expected: int, workers: Workers | None = None, done: Callable[[int], None] = lambda n: None,
) -> Iterator[Rendered]:
    """Render in source order, in parallel when it pays off (on ``workers``, else on workers of its own).

    ``done`` hears how many articles were converted as they are: a result
    waiting behind a deferred article (``LateOptions``) is counted before it
    is given back, so a progress bar does not stop while the map is built.
    """
    if workers is None and job_count(jobs) > 1 and expected >= 40:
        with Workers(jobs) as own:
            yield from render_all(items, options, jobs=jobs, expected=expected, workers=own, done=done)
        return
    if workers is None or not workers.parallel or expected < 40:
        final = options.final() if isinstance(options, LateOptions) else options
        for article, planned in items:
            rendered = render_article(article, planned, final)
            done(1)
            yield rendered
        return
    yield from _Window(workers, items, options, done).results()


class _Window:
    """The chunks in flight on the workers, and the results given back in source order.

    A sliding window: workers never wait for the slowest of a batch, the
    main process reads ahead only a window's worth of the source, and a chunk
    of articles is one message each way (most articles convert faster than a
    message costs).  With ``LateOptions``, a ``deferred`` article waits in its
    place (``slots``) until the map is built and it has been converted again.
    """

    def __init__(self, workers: Workers, items: Iterable[tuple[Article, PlannedArticle]],
                 options: RenderOptions | LateOptions, done: Callable[[int], None]) -> None:
        self.workers, self.items, self.count = workers, iter(items), done
        self.late = options if isinstance(options, LateOptions) else None
        self.path = workers.options_file(options.early if isinstance(options, LateOptions) else options)
        self.window: deque[_Task] = deque()
        # In source order: [its Rendered, None, 0], or [None, the task converting it again, its place in that task]
        self.slots: deque[list] = deque()
        self.waiting: list[_Task] = []  # deferred articles, until the map is built

    def results(self) -> Iterator[Rendered]:
        window, slots = self.window, self.slots
        self._fill()
        while window or slots:
            self._final_if(wait=bool(self.waiting and not window))  # nothing else to wait for: the map then
            while slots and (slots[0][0] is not None or slots[0][1].done):
                slot = slots.popleft()
                if slot[0] is None:
                    self.count(1)
                yield self._take(slot)
            if window and window[0].done:
                done = window.popleft()
                results, redo = done.rendered(), done.deferred()
                if len(results) > len(redo):
                    self.count(len(results) - len(redo))
                if redo:
                    again = self._again(redo)
                    index = 0
                    for rendered in results:
                        if rendered.deferred:
                            slots.append([None, again, index])
                            index += 1
                        else:
                            slots.append([rendered, None, 0])
                elif slots:
                    slots.extend([r, None, 0] for r in results)
                else:
                    yield from results
                self._fill()
            elif window or slots:
                self.workers.collect()

    def _fill(self) -> None:
        self._final_if()
        while len(self.window) < self.workers.jobs * AHEAD:
            chunk = list(islice(self.items, CHUNK))
            if not chunk:
                return
            self.window.append(_Task(self.path, chunk))
            self.workers.send(self.window[-1])

    def _again(self, items: list[tuple[Article, PlannedArticle]]) -> _Task:
        if self.late is None:
            task = _Task(self.path, items)
            self.workers.send(task)
        else:
            task = _Task("", items)
            self.waiting.append(task)
        return task

    def _final_if(self, wait: bool = False) -> None:
        """Once the map is built (or now, waiting for it, with ``wait``): what is sent from then on, and
        the deferred articles, get the final options."""
        if self.late is None or not (wait or self.late.ready()):
            return
        self.path = self.workers.options_file(self.late.final())
        self.late = None
        for task in self.waiting:
            task.path = self.path
            self.workers.send(task)
        self.waiting = []

    @staticmethod
    def _take(slot: list) -> Rendered:
        rendered, again, index = slot
        return rendered if rendered is not None else again.rendered()[index]
