"""The git post-receive hook, end to end: real git pushes, real Jekyll, the published folder watched.

Push a site: it is published.  Push a broken page: the old site stays and the
push output names the kept folder.  Push a fix: the new post is published.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.build import build_site
from migrate.cli import EXIT_FAILED, main
from migrate.hook import MARK, hook_script

from conftest import need

LAYOUT = "<html><body>{{ content }}</body></html>\n"
INDEX = "---\nlayout: default\n---\n{% for post in site.posts %}<p>{{ post.title }}</p>\n{% endfor %}"


def _git(*args: str, cwd: Path, tmp: Path | None = None) -> subprocess.CompletedProcess:
    """git, as Ed; ``tmp``: the TMPDIR the hook of a local push inherits (where it clones)."""
    env = dict(os.environ, **({"TMPDIR": str(tmp)} if tmp else {}), GIT_AUTHOR_NAME="Ed", GIT_AUTHOR_EMAIL="ed@example.org", GIT_COMMITTER_NAME="Ed",
               GIT_COMMITTER_EMAIL="ed@example.org")
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _commit(work: Path, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, "utf-8")
    assert _git("add", "-A", cwd=work).returncode == 0
    assert _git("commit", "-q", "-m", message, cwd=work).returncode == 0


@pytest.fixture
def pushed(tmp_path, jekyll):
    need("git", shutil.which("git") is not None, "git is not installed")
    repo, work, dest = tmp_path / "blog.git", tmp_path / "work", tmp_path / "www" / "blog"
    assert _git("init", "-q", "--bare", "-b", "main", str(repo), cwd=tmp_path).returncode == 0
    installed = subprocess.run([sys.executable, "-m", "migrate", "hook", "--repo", str(repo), "--dest", str(dest)],
                               capture_output=True, text=True, timeout=60)
    assert installed.returncode == 0, installed.stderr
    assert _git("init", "-q", "-b", "main", str(work), cwd=tmp_path).returncode == 0
    assert _git("remote", "add", "origin", str(repo), cwd=work).returncode == 0
    return repo, work, dest


def test_push_publishes_a_broken_push_keeps_the_old_site_and_a_fix_publishes(pushed):
    repo, work, dest = pushed
    _commit(work, {"_config.yml": "title: Ed's notes\n", "_layouts/default.html": LAYOUT, "index.html": INDEX,
                   "_posts/2024-01-01-first.md": "---\nlayout: default\ntitle: First\n---\nHello.\n"}, "first")
    tmp = work.parent / "tmp"
    tmp.mkdir()
    first = _git("push", "-q", "origin", "main", cwd=work, tmp=tmp)
    assert first.returncode == 0, first.stderr
    assert dest.is_symlink() and "<p>First</p>" in (dest / "index.html").read_text("utf-8")
    assert list(tmp.iterdir()) == []  # a successful build leaves no clone behind

    _commit(work, {"_posts/2024-01-02-broken.md": "---\nlayout: default\ntitle: Broken\n---\n{% if %}\n"}, "broken")
    broken = _git("push", "origin", "main", cwd=work, tmp=tmp)
    assert broken.returncode == 0  # the push itself is taken: post-receive runs after it
    said = [line.removeprefix("remote: ").rstrip() for line in broken.stderr.splitlines() if line.startswith("remote: ")]
    assert any("Liquid syntax error" in line for line in said), broken.stderr
    kept = re.search(r"the pushed site is kept in (\S+)$", "\n".join(said), re.M)
    assert kept, broken.stderr
    assert Path(kept.group(1)).parent.parent == tmp and (Path(kept.group(1)) / "_posts" / "2024-01-02-broken.md").is_file()
    page = (dest / "index.html").read_text("utf-8")
    assert "<p>First</p>" in page and "Broken" not in page  # the old site, untouched

    _commit(work, {"_posts/2024-01-02-broken.md": "---\nlayout: default\ntitle: Fixed\n---\nBetter.\n"}, "fix")
    fixed = _git("push", "-q", "origin", "main", cwd=work, tmp=tmp)
    assert fixed.returncode == 0, fixed.stderr
    page = (dest / "index.html").read_text("utf-8")
    assert "<p>Fixed</p>" in page and "<p>First</p>" in page


def test_a_push_to_another_branch_publishes_nothing(pushed):
    repo, work, dest = pushed
    _commit(work, {"_config.yml": "title: x\n", "index.html": "draft\n"}, "wip")
    done = _git("push", "-q", "origin", "main:drafts", cwd=work)
    assert done.returncode == 0, done.stderr
    assert not dest.exists() and not os.path.lexists(dest)


def test_the_script_quotes_every_path_and_calls_this_interpreter(tmp_path):
    dest = tmp_path / "www" / "it's $(touch pwned) `x`"
    script = hook_script(tmp_path / "r;rm -rf ~.git", dest, branch="main", jekyll="bundle exec jekyll", keep=5)
    assert script.splitlines()[1].startswith(MARK)
    assert f"{sys.executable} -m migrate build --keep 5 --jekyll 'bundle exec jekyll'" in script
    assert "dest='" + str(tmp_path) + "/www/it'\"'\"'s $(touch pwned) `x`'" in script
    # The shell reads it as data: run the assignments and print them back.
    lines = [line for line in script.splitlines() if line.startswith(("repo=", "dest=", "branch="))]
    shown = subprocess.run(["sh", "-c", "\n".join(lines) + '\nprintf "%s\\n%s\\n" "$repo" "$dest"'],
                           capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert shown.stdout.splitlines() == [str(tmp_path / "r;rm -rf ~.git"), str(dest)]
    assert not (tmp_path / "pwned").exists()


def test_hook_refuses_what_is_not_a_bare_repository_or_not_its_hook(tmp_path):
    need("git", shutil.which("git") is not None, "git is not installed")
    work = tmp_path / "work"
    _git("init", "-q", str(work), cwd=tmp_path)
    result = CliRunner().invoke(main, ["hook", "--repo", str(work / ".git"), "--dest", str(tmp_path / "www")])
    assert result.exit_code == EXIT_FAILED and "not a bare repository" in result.output
    bare = tmp_path / "b.git"
    _git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    (bare / "hooks" / "post-receive").write_text("#!/bin/sh\necho mine\n")
    result = CliRunner().invoke(main, ["hook", "--repo", str(bare), "--dest", str(tmp_path / "www")])
    assert result.exit_code == EXIT_FAILED and "was not written by joomla2jekyll" in result.output
    assert (bare / "hooks" / "post-receive").read_text() == "#!/bin/sh\necho mine\n"
    forced = CliRunner().invoke(main, ["hook", "--repo", str(bare), "--dest", str(tmp_path / "www"), "--force"])
    assert forced.exit_code == 0 and os.access(bare / "hooks" / "post-receive", os.X_OK)
    again = CliRunner().invoke(main, ["hook", "--repo", str(bare), "--dest", str(tmp_path / "www2")])
    assert again.exit_code == 0  # ours: replaced without --force


SLOW_JEKYLL = """import sys, time, pathlib
args = sys.argv[1:]
dest = pathlib.Path(args[args.index("--destination") + 1])
log = pathlib.Path(sys.argv[0]).with_name("builds.log")
with log.open("a") as f:
    f.write(f"start {time.monotonic()}\\n")
time.sleep(1.0)
dest.mkdir(parents=True, exist_ok=True)
(dest / "index.html").write_text("built")
with log.open("a") as f:
    f.write(f"end {time.monotonic()}\\n")
"""


def test_two_builds_of_one_destination_wait_for_each_other(tmp_path):
    """Two pushes at once: the second build starts when the first has published, never beside it."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text("title: x\n")
    script = tmp_path / "slow_jekyll.py"
    script.write_text(SLOW_JEKYLL)
    code = ("import sys; from pathlib import Path; from migrate.build import build_site; "
            f"build_site(Path({str(site)!r}), Path({str(tmp_path / 'live')!r}), jekyll=[sys.executable, {str(script)!r}])")
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parent.parent) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    events = [line.split() for line in (tmp_path / "builds.log").read_text().splitlines()]
    assert [kind for kind, _ in events] == ["start", "end", "start", "end"]  # never two starts in a row
    assert len([p for p in (tmp_path / "live.releases").iterdir() if not p.name.startswith(".")]) == 2


@pytest.mark.parametrize("branch", ["@{-1}", "-x", "a..b", "bad name"])
def test_hook_refuses_what_is_no_branch_name(tmp_path, branch):
    need("git", shutil.which("git") is not None, "git is not installed")
    bare = tmp_path / "b.git"
    _git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    result = CliRunner().invoke(main, ["hook", "--repo", str(bare), "--dest", str(tmp_path / "www"), "--branch", branch])
    assert result.exit_code == EXIT_FAILED and "is not a branch name" in result.output
    assert not (bare / "hooks" / "post-receive").exists()
