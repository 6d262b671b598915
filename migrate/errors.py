"""Errors the library raises.

Two kinds, because the run must react differently:

* ``MigrationError`` and its subclasses are fatal: the run stops before the
  site is touched, and the CLI prints ``Error: <message>`` on one line and exits
  non-zero.  Messages say what is wrong and where (file and line for dumps) and
  never contain a password.
* ``ArticleError`` is about one article: the pipeline records it in the report
  as a skipped article with the message as reason, and goes on.
"""

from __future__ import annotations


class MigrationError(Exception):
    """A fatal problem: nothing is written."""


class SourceError(MigrationError):
    """The source cannot be opened or read (file, server, configuration.php)."""


class DumpSyntaxError(SourceError):
    """The dump is not valid SQL, is truncated, or is not a SQL dump at all."""

    def __init__(self, name: str, line: int, message: str) -> None:
        super().__init__(f"{name}, line {line}: {message}")
        self.name = name
        self.line = line


class NotJoomla(MigrationError):
    """The source holds no Joomla content tables (or not under the given prefix)."""


class AmbiguousPrefix(MigrationError):
    """Several Joomla installs share the database; ``--prefix`` must choose."""


class SiteConflict(MigrationError):
    """Files we would write already exist in the site and were not written by us."""


class BuildError(MigrationError):
    """The site cannot be built or published where asked; the old site stays in place."""


class JekyllFailed(BuildError):
    """``jekyll build`` ran and failed (or timed out): the site holds an error, kept for inspection."""


class ArticleError(Exception):
    """One article cannot be migrated; it is reported and skipped."""
