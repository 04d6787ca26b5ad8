from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .roles import Role


def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    role_labels = [label for value, label in Role.choices if value in user.roles]  # type: ignore[union-attr]
    return render(request, "accounts/profile.html", {"profile_user": user, "role_labels": role_labels})
