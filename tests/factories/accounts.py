from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group

from tigre.accounts.models import Title, User
from tigre.lib.specialties import Specialty

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@hopital.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    title = Title.DR
    specialty = Specialty.ONCOLOGY
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        groups = [Group.objects.get_or_create(name=str(role))[0] for role in extracted]
        self.groups.add(*groups)
        self.__dict__.pop("roles", None)  # drop the cached_property value
