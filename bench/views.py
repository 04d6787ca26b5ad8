from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from tigre.accounts.models import User


def floor(request: HttpRequest) -> HttpResponse:
    """The floor Django itself sets: login required (middleware), one trivial query, a tiny response."""
    count = User.objects.filter(pk=request.user.pk or 0).count()
    return HttpResponse(f"ok {count}", content_type="text/plain")
