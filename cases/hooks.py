"""What the meetings app, a layer above, tells this app about scheduling (docs/architecture.md, "Hooks").

Requests know nothing of meetings: who is on duty this week, which requests a referent's invitations open to
them, and when a request is next discussed are meetings' knowledge. The meetings app fills these hooks once,
in ``MeetingsConfig.ready()``; each default below is what holds without it. Events go the other way as signals
(``cases.signals``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import DateTimeField, Q, Value
from django.db.models.expressions import BaseExpression

from tigre.accounts.models import User
from tigre.accounts.roles import Role


def _all_active_coordinators() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=Role.COORDINATOR).distinct())


def _no_scope(user: User) -> Q:
    return Q(pk__in=[])


def _no_meeting() -> BaseExpression:
    return Value(None, output_field=DateTimeField())


@dataclass
class Hooks:
    # The coordinators an urgent request alerts at once (those of the coming meeting).
    on_duty_coordinators: Callable[[], list[User]] = _all_active_coordinators
    # The requests a referent sees because of the meetings they are invited to (a filter on Case).
    referent_meeting_scope: Callable[[User], Q] = _no_scope
    # An expression on Case: when the request is next discussed (start of its coming meeting), or None.
    next_meeting_at: Callable[[], BaseExpression] = _no_meeting


hooks = Hooks()
