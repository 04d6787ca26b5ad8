"""Events of a request that layers above react to (docs/architecture.md, "Hooks").

Sent inside the transaction of the change, so a receiver's writes commit or roll back with it."""

from __future__ import annotations

from django.dispatch import Signal

# An urgent opinion was recorded (sender: Case; kwargs: case, by). Meetings puts the request on the next agenda
# for the board to ratify.
urgent_opinion_recorded = Signal()
