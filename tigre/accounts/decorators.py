"""Access checks for views. Role checks raise 403; object scope is enforced by selectors (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import User


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow the view only to users holding at least one of ``roles`` (superusers included)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                raise PermissionDenied
            if not (user.is_superuser or user.has_role(*roles)):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind the login (LoginRequiredMiddleware denies by default): its user is a User."""

    user: User
