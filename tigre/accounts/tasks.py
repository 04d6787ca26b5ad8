"""Celery tasks of the accounts."""

from __future__ import annotations

from celery import shared_task

from .activation import activation_send


@shared_task(name="tigre.accounts.tasks.send_activation", acks_late=True)
def send_activation(user_ids: list[int]) -> int:
    """The activation mails of accounts created without a password (ids; the token is made here, not stored)."""
    return activation_send(user_ids=user_ids)
