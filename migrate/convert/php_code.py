"""PHP blocks in article text: one definition of what counts as PHP, for the two places that remove it.

Joomla never runs PHP typed into an article. PHP found there is either injected by an attacker
(cleanup.py reports it as a sign of a hacked site) or the code of a Sourcerer block, which the
Sourcerer plugin did run (plugin_sourcerer.py reports that a static site cannot). Both must
agree on where a block starts and ends, so the pattern lives here.
"""
from __future__ import annotations

import re

__all__ = ["PHP_BLOCK", "remove_php"]

# `<?php ... ?>`, `<?= ... ?>` and `<? ... ?>`; an unclosed block runs to the end, as PHP would.
# `<?xml ...>` (Word's namespace declarations) is not PHP.
PHP_BLOCK = re.compile(r"<\?(?:php\b|=|\s).*?(?:\?>|\Z)", re.IGNORECASE | re.DOTALL)


def remove_php(html: str) -> tuple[str, int]:
    """`html` without its PHP blocks, and how many there were."""
    return PHP_BLOCK.subn("", html)
