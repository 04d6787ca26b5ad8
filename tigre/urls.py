from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import views

admin.site.site_header = _("TIGRE e-RCP — administration")
admin.site.site_title = _("TIGRE e-RCP")

urlpatterns = [
    # The home page reads every app, so it lives in the top app layer (docs/architecture.md#the-home-page).
    path("", include("meetings.home.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("compte/", include("tigre.accounts.urls")),
    # Public: the language can be chosen on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("demandes/", include("cases.urls")),
    path("urgences/", include("cases.urgent.urls")),
    path("pharmacovigilance/", include("cases.pharmacovigilance.urls")),
    path("annuaire/", include("referents.urls")),
    path("reunions/", include("meetings.urls")),
    path("documents/", include("meetings.documents.urls")),
    path("documents/", include("meetings.exports.urls")),
    path("activite/", include("meetings.statistics.urls")),
    path("notifications/", include("tigre.notifications.urls")),
    path("journal/", include("cases.privacy.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "tigre.views.error_403"
handler404 = "tigre.views.error_404"
handler500 = "tigre.views.error_500"

if settings.DEBUG:
    urlpatterns += [path("dev/", include("tigre.notifications.dev_urls"))]
