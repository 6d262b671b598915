"""What a run tells a person, as records rather than sentences to parse again.

Each stage says what it noticed with a ``Notice``: a stable ``code`` that the
report groups and counts by, the article it is about (if any), and the text a
person reads.  Nothing downstream takes an id or a reason out of the text.
(Not called ``Warning``: that name is Python's built-in exception class.)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notice:
    code: str  # e.g. "redirect-refused", "date-from-modified", "empty-body"
    text: str  # one line for a person, without the article's id (the report adds it)
    article_id: int | None = None

    def __str__(self) -> str:
        return f"article {self.article_id}: {self.text}" if self.article_id is not None else self.text


#: Codes more than one module needs to know.
REDIRECT_REFUSED = "redirect-refused"  # an old URL of the article was unsafe to write into a server config
