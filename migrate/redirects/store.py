"""The redirect map on disk: claims settled in SQLite, not in memory.

A large site has millions of old URL spellings (20,000 articles under a
few dozen menu items: 1.4 million), far too many to hold as Python objects.
Two ideas keep the map small and flat:

* **routes**: the four spellings a Joomla route has (with and without
  ``/index.php``, with and without ``.html``) are one row, keyed on the bare
  route (``route_spelling``), with a mask of the spellings it stands for.
  Only a route whose spellings decompose back onto it is stored that way;
  anything irregular (an alias ending in ``.html``, a refused spelling) is
  stored spelling by spelling;
* **owners**: a row refers to who claimed it (an article, a category, a
  redirect link) by number; the target URL, status and origin are held once
  per owner.

Claims go into a temporary SQLite file as they are made; settling reads
them back grouped by key and writes the winners into two tables, ``routes``
(all four spellings to one owner) and ``singles`` (one old URL each).
Every output reads those tables in key or URL order with no copy in memory.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator, NamedTuple, Protocol

from ..notices import Notice
from .keys import ascii_lower, route_spelling
from .records import Conflict, Owner, Redirect, RedirectSet

ROUTE = 0b1111  # all four spellings of a route (see ``path_variants``)
SPELLINGS = (1, 2, 4, 8)
_BATCH = 10_000


class Claim(NamedTuple):
    """One claim on a key of the map, as the store keeps it."""

    mask: int  # the spellings of the key's route it covers: ROUTE (all four), else one bit of SPELLINGS
    old: str  # the old URL as a browser sends it; for ROUTE the bare route (``spell`` makes the others)
    owner: int  # the number of its ``Owner``


class Settled(NamedTuple):
    """One old URL (or route) of the settled map: a row of ``routes`` or ``singles``."""

    key: str  # the stored key: a bare route, a path, or an encoded query key (``encode_key``)
    old: str
    owner: int


def spell(bare_old: str, bit: int) -> str:
    """One spelling of a route, in the order of ``path_variants``: bare, .html, /index.php, both."""
    if bit == 1:
        return bare_old
    if bit == 2:
        return bare_old + ".html"
    if bit == 4:
        return "/index.php" + bare_old
    return "/index.php" + bare_old + ".html"


def encode_key(key: str | tuple) -> str:
    """A ``fold_key`` as text: paths are themselves, the query and literal kinds get a ``?`` prefix.

    Path keys always start with ``/``, so the two never meet.
    """
    if isinstance(key, str):
        return key
    return "?" + "\x1f".join(str(part) for part in key)


def decode_key(text: str) -> str | tuple:
    if not text.startswith("?"):
        return text
    parts = text[1:].split("\x1f")
    if parts[0] == "q":
        return ("q", parts[1], int(parts[2]))
    return ("r", "\x1f".join(parts[1:]))


class Cancelled(Exception):
    """The map being built is no longer wanted (``RouteStore``'s ``cancel`` was set)."""


class Flag(Protocol):
    """What stops a map being built: a ``threading.Event`` set by another thread, or a test of its own."""

    def is_set(self) -> bool: ...


class RouteStore:
    """A temporary SQLite file: claims while the map is made, then the settled map.

    The file is deleted with the store (``close``, or when it is collected).
    Worker processes open it read-only by its path (``path``).  A map built
    on a thread is stopped by setting ``cancel``: a statement running then
    is interrupted (``sqlite3.OperationalError``), the next batch written
    raises ``Cancelled``; whoever made the store on that thread closes it
    (its connection must not be closed by another thread under it).  A map
    built in a process of its own hands its file over (``hand_over``) to
    the main process, which adopts it (``adopted``).
    """

    def __init__(self, cancel: Flag | None = None, folder: str | None = None) -> None:
        """``folder``: an empty temporary folder to use (its owner removes it if this process is killed)."""
        self._cancel = cancel
        self.dir = folder or tempfile.mkdtemp(prefix="joomla2jekyll-redirects-")
        self.path = os.path.join(self.dir, "map.sqlite")
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._finalizer = weakref.finalize(self, _remove, self.db, self.dir)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=NORMAL", "cache_size=-8000",
                       "temp_store=FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        if cancel is not None:
            # Sorting and indexing the claims take a second or more on a large site: stop within moments.
            self.db.set_progress_handler(cancel.is_set, 10_000)
        self.db.executescript(
            """
            CREATE TABLE claims (key TEXT NOT NULL, mask INTEGER NOT NULL, old TEXT NOT NULL, owner INTEGER NOT NULL);
            CREATE TABLE routes (key TEXT NOT NULL, old TEXT NOT NULL, owner INTEGER NOT NULL);
            CREATE TABLE singles (key TEXT NOT NULL, old TEXT NOT NULL, owner INTEGER NOT NULL);
            """
        )
        self._pending: list[tuple[str, int, str, int]] = []
        self._indexed = False

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction per batch: in autocommit mode every row would be a commit (20 times slower)."""
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled()
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- claims -----------------------------------------------------------------
    def claim(self, key: str, mask: int, old: str, owner: int) -> None:
        self._pending.append((key, mask, old, owner))
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            with self._transaction():
                self.db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?)", self._pending)
            self._pending.clear()

    def claims_on(self, key: str) -> list[Claim]:
        """Every claim on ``key``, in the order they came."""
        self.flush()
        if not self._indexed:
            self.db.execute("CREATE INDEX claims_key ON claims (key)")
            self._indexed = True
        rows = self.db.execute("SELECT mask, old, owner FROM claims WHERE key = ? ORDER BY rowid", (key,))
        return [Claim(mask, old, owner) for mask, old, owner in rows]

    def grouped_claims(self) -> Iterator[tuple[str, list[Claim]]]:
        """Every key with its claims in the order they came; keys in text order."""
        self.flush()
        rows = self.db.execute("SELECT key, mask, old, owner FROM claims ORDER BY key, rowid")
        current: str | None = None
        group: list[Claim] = []
        make = tuple.__new__  # ``Claim(mask, old, owner)`` without its Python-level __new__: a million rows
        for key, mask, old, owner in rows:
            if key != current:
                if group:
                    yield current, group  # type: ignore[misc]
                current, group = key, []
            group.append(make(Claim, (mask, old, owner)))
        if group:
            yield current, group  # type: ignore[misc]

    # -- the settled map -------------------------------------------------------
    def write_settled(self, routes: Iterable[Settled], singles: Iterable[Settled]) -> None:
        with self._transaction():
            self.db.executemany("INSERT INTO routes VALUES (?, ?, ?)", routes)
            self.db.executemany("INSERT INTO singles VALUES (?, ?, ?)", singles)

    def finish(self, targets: Iterable[str] = ()) -> None:
        """Claims are settled: drop them and index what the outputs look up; ``targets`` are the owners'
        new URLs by number, for the processes that look paths up (:class:`StoredPaths`)."""
        with self._transaction():
            self.db.execute("CREATE TABLE targets (number INTEGER PRIMARY KEY, new TEXT NOT NULL)")
            self.db.executemany("INSERT INTO targets VALUES (?, ?)", enumerate(targets))
        self.db.execute("DROP TABLE claims")
        self.db.execute("CREATE INDEX routes_key ON routes (key)")
        self.db.execute("CREATE INDEX singles_old ON singles (old)")
        self.db.execute("CREATE INDEX singles_key ON singles (key)")
        self.db.set_progress_handler(None, 0)  # built: nothing is to interrupt the settled map's readers

    def route_count(self) -> int:
        """Rows of ``routes``: each one four old URLs."""
        return self.db.execute("SELECT count(*) FROM routes").fetchone()[0]

    def single_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM singles").fetchone()[0]

    def sorted_olds(self, batch: int = 5_000) -> Iterator[tuple[str, int]]:
        """``(old, owner number)`` for every old URL, in URL order: the singles and the four
        spellings of every route, sorted by SQLite in one query (rows, unpacked where read)."""
        for rows in self.sorted_old_batches(batch):
            yield from rows

    def sorted_old_batches(self, batch: int = 5_000) -> Iterator[list[tuple[str, int]]]:
        """``sorted_olds`` a list at a time, for writers that handle rows in bulk."""
        return self._batches(
            "SELECT o, owner FROM ("
            " SELECT old AS o, owner FROM singles"
            " UNION ALL SELECT old, owner FROM routes"
            " UNION ALL SELECT old || '.html', owner FROM routes"
            " UNION ALL SELECT '/index.php' || old, owner FROM routes"
            " UNION ALL SELECT '/index.php' || old || '.html', owner FROM routes"
            ") ORDER BY o",
            batch,
        )

    def routes_by_key(self, batch: int = 5_000) -> Iterator[Settled]:
        """The routes in key order (one nginx or Apache key each)."""
        make = tuple.__new__  # ``Settled._make`` without its Python-level call: every output reads every route
        for rows in self._batches("SELECT key, old, owner FROM routes ORDER BY key", batch):
            for row in rows:
                yield make(Settled, row)

    def singles_by_old(self, batch: int = 5_000) -> Iterator[tuple[str, int]]:
        """``(old, owner number)`` of the singles in URL order."""
        return self._stream("SELECT old, owner FROM singles ORDER BY old", batch)

    def shortest_olds(self) -> Iterator[tuple[int, str, int]]:
        """``(owner number, its shortest old URL, how many old URLs)``, shortest by length then text:
        a route's bare spelling is the shortest of its four, and it counts four."""
        return self._stream(
            "SELECT owner, substr(min(printf('%08d', length(old)) || old), 9), sum(n) FROM ("
            " SELECT owner, old, 4 AS n FROM routes UNION ALL SELECT owner, old, 1 FROM singles"
            ") GROUP BY owner",
            5_000,
        )

    def longest_route_key(self) -> int:
        """The length in UTF-8 bytes of the longest route key (0 with none): nginx's bucket size needs it."""
        return self.db.execute("SELECT coalesce(max(length(CAST(key AS BLOB))), 0) FROM routes").fetchone()[0]

    def routes_over(self, budget: int, mark: str) -> Iterator[tuple[str, str]]:
        """``(key, target)`` of the routes, in key order, whose key at three bytes a byte plus the target
        take more than ``budget`` characters, or whose target holds ``mark``: a superset, found by SQLite,
        of the few a length-limited map line cannot hold, so that nobody reads every route to find them."""
        return self._stream(
            "SELECT r.key, t.new FROM routes r JOIN targets t ON t.number = r.owner"
            " WHERE 3 * length(CAST(r.key AS BLOB)) + length(t.new) > ? OR instr(t.new, ?) > 0 ORDER BY r.key",
            5_000, (budget, mark))

    def route_owner(self, key: str) -> int | None:
        """The owner number of the route stored under ``key``, if there is one."""
        row = self.db.execute("SELECT owner FROM routes WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _stream(self, sql: str, batch: int, parameters: tuple = ()) -> Iterator:
        for rows in self._batches(sql, batch, parameters):
            yield from rows

    def _batches(self, sql: str, batch: int, parameters: tuple = ()) -> Iterator[list]:
        # A cursor of its own, read in batches: several streams run at once.
        cursor = self.db.cursor()
        cursor.execute(sql, parameters)
        while rows := cursor.fetchmany(batch):
            yield rows

    @classmethod
    def opened(cls, path: str) -> "RouteStore":
        """The settled map of another process's store, read-only; closing it leaves the file to its owner."""
        store = cls.__new__(cls)
        store.dir, store.path = os.path.dirname(path), path
        store.db = ReadOnlyStore(path).connect()
        for pragma in ("cache_size=-8000", "temp_store=FILE"):  # as the store that wrote it
            store.db.execute(f"PRAGMA {pragma}")
        store._pending, store._indexed, store._cancel = [], True, None
        store._finalizer = weakref.finalize(store, store.db.close)
        return store

    @classmethod
    def adopted(cls, path: str) -> "RouteStore":
        """The settled map another process built and handed over (``hand_over``): read-only, and its
        folder is removed with this store."""
        store = cls.opened(path)
        store._finalizer.detach()
        store._finalizer = weakref.finalize(store, _remove, store.db, store.dir)
        return store

    def hand_over(self) -> str:
        """Close this store but leave its file for another process to adopt; returns the file's path."""
        self._finalizer.detach()
        self.db.close()
        return self.path

    def close(self) -> None:
        self._finalizer()


def write_ids(path: str, by_id: dict[int, str]) -> None:
    """A new file of the posts' new URLs by article id, for the link resolvers of the conversion processes
    (:class:`StoredIds`): on disk, not a copy in each (20,000 articles: 3 MB a process)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("BEGIN")
        db.execute("CREATE TABLE ids (id INTEGER PRIMARY KEY, url TEXT NOT NULL)")
        db.executemany("INSERT INTO ids VALUES (?, ?)", sorted(by_id.items()))
        db.execute("COMMIT")
    finally:
        db.close()


def _remove(db: sqlite3.Connection, folder: str) -> None:
    try:
        db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lookup_olds(db: sqlite3.Connection, key: str) -> list[tuple[str, int]]:
    """``(old, owner number)`` of every old URL stored under ``key``: a route's four spellings and the singles."""
    out = [(spell(old, bit), owner) for old, owner in db.execute("SELECT old, owner FROM routes WHERE key = ?", (key,))
           for bit in SPELLINGS]
    out += db.execute("SELECT old, owner FROM singles WHERE key = ?", (key,)).fetchall()
    return out


@dataclass(frozen=True, slots=True)
class ReadOnlyStore:
    """The settled map opened again by path, e.g. in a worker process (no fork-shared connection)."""

    path: str

    def connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        db.execute("PRAGMA query_only=ON")
        return db


class StoredRedirectSet(RedirectSet):
    """A :class:`RedirectSet` whose redirects live in a :class:`RouteStore`.

    Iterating gives the same ``Redirect`` records, in the same URL order, as
    the in-memory set; the writers that know the store read its routes
    directly instead (one key per route, as nginx and Apache want them).
    """

    def __init__(self, store: RouteStore, owners: list[Owner], conflicts: list[Conflict],
                 warnings: list[Notice]) -> None:
        super().__init__(redirects=[], conflicts=conflicts, warnings=warnings)
        self.store = store
        self.owners = owners  # by number
        self._count = 4 * store.route_count() + store.single_count()

    def __iter__(self) -> Iterator[Redirect]:
        owners = self.owners
        for old, number in self.store.sorted_olds():
            owner = owners[number]
            yield Redirect(old, owner.new, owner.status, owner.origin)

    def __len__(self) -> int:
        return self._count

    def shortest_old_by_target(self) -> dict[str, tuple[str, int]]:
        """``{new URL: (its shortest old URL, how many old URLs)}``, counted by SQLite rather than by
        iterating every redirect (1.3 million on a 20,000-article site)."""
        index: dict[str, tuple[str, int]] = {}
        for number, old, count in self.store.shortest_olds():
            new = self.owners[number].new
            found = index.get(new)
            if found is None:
                index[new] = (old, count)
            else:
                best, n = found
                index[new] = (min(best, old, key=lambda u: (len(u), u)), n + count)
        return index

    def close(self) -> None:
        self.store.close()


class Lookup:
    """A read-only mapping over a lookup that answers a value or None (a key on disk, say)."""

    def _find(self, key: str) -> str | None:
        raise NotImplementedError

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not None

    def __getitem__(self, key: str) -> str:
        found = self._find(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: str, default: str | None = None) -> str | None:
        found = self._find(key)
        return default if found is None else found


class _OnDisk:
    """A lookup in a file of ours (the settled map, the ids), opened by each process on its own (a pickled
    copy carries only the path), with a bounded memo."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = -1
        self._memo: dict = {}

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        _OnDisk.__init__(self, state["path"])

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = ReadOnlyStore(self.path).connect()  # a forked copy must not share the parent's
            self._pid = os.getpid()
        return self._db

    def _remember(self, key, value):
        if len(self._memo) > 10_000:
            self._memo.clear()
        self._memo[key] = value
        return value


class StoredIds(_OnDisk):
    """Article id -> new URL (a file ``write_ids`` wrote), as the link resolver's ``by_id``."""

    def get(self, ident: int, default: str | None = None) -> str | None:
        if not -(2 ** 63) <= ident < 2 ** 63:
            return default  # no article has it, and SQLite's integers stop there (a link's id is any digits)
        if ident not in self._memo:
            row = self._connection().execute("SELECT url FROM ids WHERE id = ?", (ident,)).fetchone()
            self._remember(ident, None if row is None else row[0])
        found = self._memo[ident]
        return default if found is None else found


class StoredPaths(_OnDisk, Lookup):
    """Old SEF path -> new URL, for the link resolver, looked up in the settled map on disk.

    Answers what a dict built from every redirect would: for a path as
    ``normalise_path`` gives it (decoded, no ``index.php/``, no ``.html``,
    no slashes around), the new URL of the first old URL in URL order that
    normalises to it, leaving out ``id-alias`` paths the resolver finds by
    id anyway (``by_id``: a dict, or :class:`StoredIds`).  Each
    process opens the file on its own (workers included), and a pickled
    copy carries only the path: the owners' targets are read from the file
    too (``RouteStore.finish``).
    """

    def __init__(self, path: str, by_id: "dict[int, str] | StoredIds") -> None:
        super().__init__(path)
        self.by_id = by_id

    def __getstate__(self) -> dict:
        return {"path": self.path, "by_id": self.by_id}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["by_id"])  # type: ignore[misc]

    def _find(self, norm: str) -> str | None:
        if norm in self._memo:
            return self._memo[norm]
        from ..convert.links import leading_id, normalise_path  # here: the converter is heavy, the map needs it not

        lower = ascii_lower("/" + norm)
        # The old URLs that normalise to ``norm``: with a slash, a suffix or both after it; stored
        # under their own key or, when they fold onto one, under their bare route.
        spelled = ("/index.php", "/index.php/", "/.html") if not norm else \
            (lower, lower + "/", lower + ".htm", lower + ".html", lower + ".html/", lower + ".htm/")
        keys = dict.fromkeys(k for key in spelled for k in (key, route_spelling(key)[0]))
        best: tuple[str, str] | None = None
        db = self._connection()
        ident = leading_id(norm.rsplit("/", 1)[-1])
        for bare in keys:
            for old, owner in lookup_olds(db, bare):
                if "?" in old or normalise_path(old) != norm or (best is not None and old >= best[0]):
                    continue
                new = self._target(db, owner)
                if ident is not None and self.by_id.get(ident) == new:
                    continue  # an "id-alias" path: found by id
                best = (old, new)
        return self._remember(norm, None if best is None else best[1])

    @staticmethod
    def _target(db: sqlite3.Connection, owner: int) -> str:
        return db.execute("SELECT new FROM targets WHERE number = ?", (owner,)).fetchone()[0]
