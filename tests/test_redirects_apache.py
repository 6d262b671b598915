"""The .htaccess rules, proven with Debian's apache2 on a loopback port.

Apache reads them as a real ``.htaccess`` (``AllowOverride All``) in the
document root of the stand-in site.  Small corpus sites of the 1.5, 3.x (legacy
router, as 2.5) and 5.x routers and the hostile aliases, every old URL of the map.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from migrate.redirects import legacy_redirects, verify, write_redirects
from test_nginx_helpers import migrate_urls, need_apache, running_apache, stand_in_site
from test_redirects import hostile_site

# Small sites only: Apache re-reads a .htaccess on every request, and the 1,500-rule one of
# joomla39_testing costs about 5 ms a request (34 s for its 6,000 old URLs).
SITES = ["joomla15_sample", "joomla310_blog", "joomla310_brochure", "joomla52_upgraded"]


def _serve_and_verify(site, planned, tmp_path: Path) -> None:
    redirects = legacy_redirects(site, planned)
    www = tmp_path / "www"
    stand_in_site(www, [r.new for r in redirects])
    write_redirects(redirects, www, {"apache"})
    with running_apache(tmp_path / "apache", www) as base:
        result = verify(base, redirects, concurrency=16)
    assert result.failures == [], result.failures[:5]


@pytest.mark.parametrize("name", SITES)
def test_htaccess_on_real_apache(name: str, tmp_path: Path) -> None:
    need_apache()
    dump = CORPUS / name / f"{name}.sql"
    if not dump.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    _serve_and_verify(*migrate_urls(dump), tmp_path)


def test_htaccess_hostile_aliases(tmp_path: Path) -> None:
    need_apache()
    site, planned, _ = hostile_site()
    _serve_and_verify(site, planned, tmp_path)
