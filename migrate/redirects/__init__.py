"""Old Joomla URLs keep working: the redirect map and its outputs.

The map is computed once (``old_urls.old_url_redirects``, from the old URLs
``joomla.routes`` gives each page) as a flat, sorted list of ``Redirect``
records, one per old URL; every output (nginx, Apache, Netlify, CSV,
``redirect_from``: ``writers``), the access-log check and ``verify``
(``check``) read that one list, so they cannot disagree about what is covered.

* ``records``: ``Redirect``, its ``Origin``, ``Conflict``, ``RedirectSet``;
* ``keys``: when two old URLs are one request to a server (``fold_key``);
* ``collect``: claims on old URLs, settled by rank; ``store``: on disk;
* ``old_urls``: the map of a Joomla site; ``writers`` and ``limits``: the files;
* ``check``: the map against an access log, and a running server against the map.
"""

from __future__ import annotations

from ..url_safety import UnsafeValue
from .check import VerifyFailure, VerifyResult, check_access_log, verify
from .old_urls import old_url_redirects
from .records import Conflict, Origin, Redirect, RedirectSet
from .writers import FORMATS, read_redirects_csv, redirect_from, write_redirects

__all__ = [
    "Redirect", "RedirectSet", "Conflict", "Origin", "UnsafeValue", "FORMATS",
    "old_url_redirects", "write_redirects", "read_redirects_csv", "redirect_from",
    "check_access_log", "verify", "VerifyResult", "VerifyFailure",
]
