"""Factories for the outbox."""

from __future__ import annotations

import factory

from cases.messages import Kind
from tigre.notifications.models import Notification

from .accounts import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Kind.REQUEST_RECEIVED
    recipient = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test:event{n}")
    subject = "Test"
    template = factory.LazyAttribute(lambda o: f"emails/{o.kind}")
