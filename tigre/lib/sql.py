"""Two PostgreSQL string functions the app's searches use, and the same functions for the embedded SQLite.

Production and the tests run on PostgreSQL; ``make run`` runs on SQLite unless ``DATABASE_URL`` says otherwise
(README, "Two commands"). SQLite has neither ``translate`` nor ``regexp_replace``: ``sqlite_register`` gives each
new SQLite connection a Python version of both, with PostgreSQL's meaning (tigre.ops.apps connects it to
``connection_created``), so that the patient-history link (cases/history.py) and the referents' search
(referents/selectors.py) work the same on both. ``tests/lib/test_sql.py`` checks that both give the same results.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.models import CharField, Func


class Translate(Func):
    """``translate(text, from, to)``: each character of ``from`` replaced by the one at the same place in ``to``,
    or removed when ``to`` is shorter."""

    function = "translate"
    arity = 3
    output_field = CharField()


class RegexpReplace(Func):
    """``regexp_replace(text, pattern, replacement, flags)``; the flag ``g`` replaces every match, not the first."""

    function = "regexp_replace"
    arity = 4
    output_field = CharField()


@lru_cache(maxsize=32)
def _table(source: str, target: str) -> dict[int, str | None]:
    # Reversed: of a character given twice in ``source``, its first place wins (PostgreSQL's rule).
    return {ord(c): (target[i] if i < len(target) else None) for i, c in reversed(list(enumerate(source)))}


def translate(text: str | None, source: str, target: str) -> str | None:
    if text is None:
        return None
    return text.translate(_table(source, target))


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def regexp_replace(text: str | None, pattern: str, replacement: str, flags: str = "") -> str | None:
    if text is None:
        return None
    return _compiled(pattern).sub(replacement, text, count=0 if "g" in flags else 1)


def sqlite_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: on an SQLite connection, define both functions (deterministic)."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("translate", 3, translate, deterministic=True)
    connection.connection.create_function("regexp_replace", 4, regexp_replace, deterministic=True)
