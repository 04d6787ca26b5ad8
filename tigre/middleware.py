"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty


class ChosenLanguageMiddleware(LocaleMiddleware):
    """French unless the user chose another language (the footer's selector sets a cookie).

    The browser's Accept-Language is deliberately ignored: hospital workstations often run an English-configured
    browser, and a French clinician must not get English dates and form messages by accident.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user: pages of patient data must stay
    neither in a shared proxy nor in the browser's cache of a shared hospital workstation (docs/privacy.md).
    Directives a view set are kept (``never_cache``'s ``no-cache, must-revalidate``); ``public`` is dropped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _logged_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _logged_in(request: HttpRequest) -> bool:
    """Without touching the database: the user if the request already loaded it, else the session cookie (an error
    page answered because the database hangs must not wait for it again to decide a header)."""
    user = getattr(request, "user", None)
    if isinstance(user, SimpleLazyObject) and user._wrapped is empty:  # type: ignore[attr-defined]
        return settings.SESSION_COOKIE_NAME in request.COOKIES
    return bool(user is not None and user.is_authenticated)
