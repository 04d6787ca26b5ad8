"""Factories for the pharmacovigilance follow-up."""

from __future__ import annotations

import factory

from cases.pharmacovigilance.models import PvFollowUp, PvStatus

from .cases import ToxicityFactory


class PvFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PvFollowUp

    toxicity = factory.SubFactory(ToxicityFactory)
    status = PvStatus.TO_ASSESS

    @classmethod
    def _create(cls, model_class: type[PvFollowUp], *args: object, **kwargs: object) -> PvFollowUp:
        # status_changed_at is auto_now_add: set it after creation when a test passes one.
        changed_at = kwargs.pop("status_changed_at", None)
        obj = super()._create(model_class, *args, **kwargs)
        if changed_at is not None:
            model_class.objects.filter(pk=obj.pk).update(status_changed_at=changed_at)
            obj.status_changed_at = changed_at
        return obj
