from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tigre.accounts.decorators import AuthenticatedRequest

from . import selectors as sel


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Every role lands here: the next meeting and the work waiting, each with its link."""
    return render(request, "home.html", {"home": sel.home_for(request.user)})
