"""Shared test fixtures: paths, the corpus, real MariaDB, real Jekyll.

Tests that need a component the machine lacks skip with the reason; the
``J2J_REQUIRE_*`` variables (set by ``.ci/run``) turn those skips into
failures, so CI cannot pass by skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = Path(os.environ.get("J2J_CORPUS", ROOT.parent / "shared" / "corpus"))
NOW = datetime(2026, 6, 1)  # "now" for tests: expiry and scheduling do not drift


def need(component: str, available: bool, why: str) -> None:
    """Skip (on a user's machine) or fail (in CI) when a component is missing."""
    if available:
        return
    if os.environ.get(f"J2J_REQUIRE_{component.upper()}") == "1":
        pytest.fail(f"{component} is required here (J2J_REQUIRE_{component.upper()}=1) but {why}")
    pytest.skip(f"{component} not available: {why}")


def corpus_dumps(all_variants: bool = False) -> list[Path]:
    """Every corpus dump with ground truth; [] when ../shared is absent (an error in CI)."""
    if not CORPUS.is_dir():
        if os.environ.get("J2J_REQUIRE_CORPUS") == "1":
            raise RuntimeError(f"the corpus is required here (J2J_REQUIRE_CORPUS=1) but {CORPUS} does not exist")
        return []
    dumps = sorted(p for p in CORPUS.glob("*/*.sql") if p.with_suffix(".json").is_file())
    if not all_variants:
        dumps = [p for p in dumps if p.stem == p.parent.name]
    return dumps


def corpus_params(all_variants: bool = False) -> list:
    dumps = corpus_dumps(all_variants)
    if not dumps:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [pytest.param(p, id=p.name) for p in dumps]


def ground_truth(dump: Path) -> dict:
    return json.loads(dump.with_suffix(".json").read_text("utf-8"))


# -- MariaDB -------------------------------------------------------------------

MYSQL_URL = os.environ.get("J2J_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def _server_reachable() -> str | None:
    try:
        import pymysql
        from sqlalchemy.engine import make_url

        url = make_url(MYSQL_URL)
        conn = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username,
                               password=url.password or "", connect_timeout=3)
        conn.close()
        return None
    except Exception as exc:  # noqa: BLE001
        return f"cannot connect to {MYSQL_URL}: {exc}"


@pytest.fixture(scope="session")
def mariadb():
    """A loader that puts a dump into a fresh database and returns its URL."""
    problem = _server_reachable()
    need("mysql", problem is None, problem or "")
    client = shutil.which("mariadb") or shutil.which("mysql")
    need("mysql", client is not None, "no mariadb/mysql client to load dumps")
    from sqlalchemy.engine import make_url

    base = make_url(MYSQL_URL)
    created: list[str] = []

    def load(dump: Path, name: str) -> str:
        db = "j2j_" + re.sub(r"[^a-z0-9_]", "_", name.lower())[:50]
        args = [client, "-h", base.host or "127.0.0.1", "-P", str(base.port or 3306), "-u", base.username or "root"]
        if base.password:
            args.append(f"-p{base.password}")
        subprocess.run(args + ["-e", f"DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}` CHARACTER SET utf8mb4"], check=True)
        with open(dump, "rb") as fh:
            subprocess.run(args + ["--default-character-set=utf8mb4", "--init-command=SET SESSION sql_mode=''", db],
                           stdin=fh, check=True)
        created.append(db)
        return base.set(database=db).render_as_string(hide_password=False)

    yield load
    if created:
        args = [client, "-h", base.host or "127.0.0.1", "-P", str(base.port or 3306), "-u", base.username or "root"]
        if base.password:
            args.append(f"-p{base.password}")
        subprocess.run(args + ["-e", "; ".join(f"DROP DATABASE IF EXISTS `{d}`" for d in created)], check=False)


# -- Jekyll --------------------------------------------------------------------

@pytest.fixture(scope="session")
def jekyll() -> str:
    exe = shutil.which("jekyll")
    need("jekyll", exe is not None, "the jekyll command is not installed (Debian: apt-get install jekyll)")
    return exe  # type: ignore[return-value]


def jekyll_build(site: Path, dest: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["jekyll", "build", "--source", str(site), "--destination", str(dest)],
                          capture_output=True, text=True, timeout=600)
