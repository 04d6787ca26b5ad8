"""The lock every write on a meeting takes first, and the refusals meeting writes raise.

One rule for the agenda, the session and the meeting's own edits: the meeting row is locked (SELECT ... FOR UPDATE)
for the rest of the transaction, so two edits of one meeting run one after the other; an edit made from a page whose
``Meeting.version`` is no longer current is refused (nothing the other person did is lost); a validated or cancelled
meeting refuses every edit. Each refusal carries a French message for the user.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Meeting
from .scheduling import meeting_date_label


class MeetingError(ValidationError):
    """A change of a meeting (its agenda, its session, its date or chairs) refused, with a French message."""


class MeetingLocked(MeetingError):
    """The meeting is validated or cancelled: no edit of any kind."""


class MeetingConflict(MeetingError):
    """The meeting changed since the page was loaded (its version moved on)."""

    def __init__(self, message: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(
            message
            or _(
                "Cette réunion a été modifiée par quelqu'un d'autre pendant que vous la consultiez. "
                "Voici la version à jour : vérifiez-la puis recommencez."
            ),
            *args,
            **kwargs,
        )


def meeting_lock(meeting: Meeting | int, *, expected_version: int | None = None, allow_held: bool = True) -> Meeting:
    """Lock the meeting row for this transaction and return it fresh; refuse a stale edit (``expected_version``
    given and no longer current), any edit of a validated or cancelled meeting, and, unless ``allow_held``, an edit
    of a meeting already held."""
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise MeetingConflict()
    if locked.status == Meeting.Status.VALIDATED:
        raise MeetingLocked(
            _("La RCP du %(date)s est validée : elle est verrouillée, aucune modification n'est possible.")
            % {"date": meeting_date_label(locked, with_time=False)}
        )
    if locked.status == Meeting.Status.CANCELLED:
        raise MeetingLocked(
            _("La RCP du %(date)s est annulée : aucune modification n'est possible.")
            % {"date": meeting_date_label(locked, with_time=False)}
        )
    if not allow_held and locked.status == Meeting.Status.HELD:
        raise MeetingError(_("Cette réunion est déjà tenue : son ordre du jour ne peut plus être construit."))
    return locked
