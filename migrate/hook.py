"""The git post-receive hook that publishes a pushed Jekyll site: clone, build, swap.

The blog this tool was born for publishes this way: a push to the server's
bare repository clones the branch into a temporary folder, ``jekyll build``s
it, and replaces the public site only when the build succeeds, keeping the
temporary folder when it fails.  ``install_hook`` writes that hook, calling
``build`` (releases, atomic switch, a lock so two pushes never build over each
other) through the very interpreter it was installed from, so a hook
installed from a virtualenv keeps working without that venv being active.

Every path and command in the script is quoted with ``shlex.quote``: a
repository or destination name never reaches the shell as code.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from .errors import MigrationError

#: The hook's second line: a hook carrying it is ours to replace; any other is the user's.
MARK = "# joomla2jekyll post-receive hook"

_SCRIPT = """#!/bin/sh
{mark}: written by `joomla2jekyll hook`; run that again to change it.
# A push to {branch_q} is cloned into a temporary folder and built with `joomla2jekyll build`,
# which publishes it at {dest_q} only when Jekyll succeeds. A failed build leaves the site as it
# was and keeps the temporary folder; its path is printed in the push output.
set -u
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
repo={repo}
dest={dest}
branch={branch}
while read -r old new ref; do
    [ "$ref" = "refs/heads/$branch" ] || continue
    case "$new" in *[!0]*) ;; *) continue ;; esac  # the branch was deleted: nothing to build
    work=$(mktemp -d "${{TMPDIR:-/tmp}}/joomla2jekyll-push-XXXXXX") || exit 1
    if ! git clone --quiet --branch "$branch" -- "$repo" "$work/site"; then
        echo "joomla2jekyll: could not clone $branch; $dest is unchanged; kept $work"
        exit 1
    fi
    if {build} --site "$work/site" --dest "$dest"; then
        rm -rf "$work"
    else
        echo "joomla2jekyll: the build failed; $dest is unchanged; the pushed site is kept in $work/site"
        exit 1
    fi
done
"""


def hook_script(repo: Path, dest: Path, *, branch: str = "main", jekyll: str | None = None, keep: int = 3,
                python: str | None = None) -> str:
    """The text of ``hooks/post-receive`` for ``repo`` publishing ``branch`` at ``dest``."""
    build = [python or sys.executable, "-m", "migrate", "build", "--keep", str(keep)]
    if jekyll:
        build += ["--jekyll", jekyll]
    return _SCRIPT.format(
        mark=MARK, repo=shlex.quote(str(repo)), dest=shlex.quote(str(dest)), branch=shlex.quote(branch),
        build=" ".join(shlex.quote(part) for part in build),
        branch_q=_comment(branch), dest_q=_comment(str(dest)),
    )


def _comment(text: str) -> str:
    """A value shown in a comment line of the script: on one line."""
    return " ".join(text.split())


def install_hook(repo: Path, dest: Path, *, branch: str = "main", jekyll: str | None = None, keep: int = 3,
                 force: bool = False) -> Path:
    """Write ``REPO/hooks/post-receive`` (executable); return its path.

    ``repo`` must be a bare repository; ``dest`` is made absolute, as the hook
    runs from the repository.  A post-receive hook that is not ours is
    replaced only with ``force``.
    """
    repo = Path(os.path.abspath(repo))
    if not (repo / "HEAD").is_file() or not (repo / "objects").is_dir():
        raise MigrationError(f"{repo} is not a git repository (no HEAD and objects/ in it)")
    try:
        bare = subprocess.run(["git", "--git-dir", str(repo), "rev-parse", "--is-bare-repository"],
                              capture_output=True, text=True, timeout=30)
    except OSError:
        raise MigrationError("git is not installed (Debian: apt-get install git)") from None
    if bare.stdout.strip() != "true":
        raise MigrationError(f"{repo} is not a bare repository: a push to it cannot update a checked-out branch "
                             "(create one with git init --bare)")
    if not _branch_name(branch):
        raise MigrationError(f"--branch {branch!r} is not a branch name")
    hook = repo / "hooks" / "post-receive"
    if hook.exists() and not force and not _ours(hook):
        raise MigrationError(f"{hook} exists and was not written by joomla2jekyll (use --force to replace it)")
    hook.parent.mkdir(exist_ok=True)
    tmp = hook.with_name(".post-receive.joomla2jekyll")
    tmp.write_text(hook_script(repo, Path(os.path.abspath(dest)), branch=branch, jekyll=jekyll, keep=keep), "utf-8")
    tmp.chmod(0o755)
    tmp.replace(hook)
    return hook


def _ours(hook: Path) -> bool:
    lines = hook.read_text("utf-8", errors="replace").splitlines()
    return len(lines) > 1 and lines[1].startswith(MARK)


def _branch_name(branch: str) -> bool:
    try:
        # the ref itself: "--branch" would also take "@{-1}", which names no branch a push updates
        done = subprocess.run(["git", "check-ref-format", f"refs/heads/{branch}"], capture_output=True, timeout=30)
    except OSError:
        return False
    return done.returncode == 0 and not branch.startswith("-")
