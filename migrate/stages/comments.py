"""Stage 4b, comments: the published comments of every post, as Staticman data files.

It runs after the conversion, which read every post's text and so its
``{jcomments off}``-style switches, and stages the files beside the posts:
they are committed with the rest of the run, or not at all.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..joomla.comments import ALL_OPEN, CommentSwitches, PostKey
from ..posts import POST
from ..sinks.comments import comments_report, write_comments
from ..sinks.jekyll import JekyllSite, Staging
from .plan import Plan
from .read import Reading


def commented_posts(plan: Plan, switches: Mapping[PostKey, CommentSwitches]
                    ) -> tuple[dict[PostKey, CommentSwitches], dict[PostKey, str]]:
    """The posts that show comments, with their switches and their slugs: drafts and skipped
    entries get none.  The plan's keys are the comments' post keys: ``("article", id)``, ``("k2", id)``
    (K2 items' switches come from ``k2_switches``, see ``stages/convert.py``)."""
    posts = [p for p in plan.articles if p.action == POST and p.slug]
    return ({p.key: switches.get(p.key, ALL_OPEN) for p in posts},
            {p.key: p.slug for p in posts if p.slug})


def stage_comments(read: Reading, plan: Plan, switches: Mapping[PostKey, CommentSwitches], staging: Staging,
                   target: JekyllSite) -> dict[str, Any]:
    """Read the comments of the plan's posts, stage their files; returns the report's ``comments`` section."""
    posts, slugs = commented_posts(plan, switches)
    found = read.reader.comments(read.site, posts)
    return comments_report(found, write_comments(staging, target, found, slugs))
