"""Texts in English and Korean, and which of them the user reads.

Everything a student reads -- gradcheck reports and hints, the grader's
messages, exercise statements, the lab's report -- is written once as a
:class:`Text` pair, so the two languages can never say different things.

The language is chosen, in this order, by

1. a ``lang=`` argument where a function takes one (``"en"``, ``"ko"``, or
   ``"both"``: English, then Korean);
2. the environment variable ``TINYNET_LANG`` (the same three values; an
   exercise workspace made with ``--lang ko`` sets it for its tests);
3. English.
"""
import os
from typing import NamedTuple

LANGUAGES = ("en", "ko", "both")
ENVIRONMENT_VARIABLE = "TINYNET_LANG"


def check_language(lang):
    """``lang`` if it is one of LANGUAGES; otherwise a ValueError naming it."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    return lang


def language(lang=None):
    """The language to use: ``lang`` if given, else $TINYNET_LANG, else "en"."""
    if lang is not None:
        return check_language(lang)
    chosen = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if not chosen:
        return "en"
    if chosen not in LANGUAGES:
        raise ValueError(f"${ENVIRONMENT_VARIABLE} must be one of {', '.join(LANGUAGES)}, "
                         f"got {chosen!r}")
    return chosen


class Text(NamedTuple):
    """One text in English and Korean."""

    en: str
    ko: str

    def pick(self, lang=None):
        """The text in ``lang`` (see :func:`language`); "both" gives English, then Korean."""
        lang = language(lang)
        if lang == "both":
            return f"{self.en}\n{self.ko}"
        return self.en if lang == "en" else self.ko

    def format(self, **values):
        """Both languages with ``str.format(**values)`` applied."""
        return Text(self.en.format(**values), self.ko.format(**values))

    def __str__(self):
        return self.pick()
