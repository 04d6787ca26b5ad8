from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("TIGRE e-RCP — administration")
admin.site.site_title = _("TIGRE e-RCP")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("compte/", include("tigre.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("demandes/", include("cases.urls")),
    path("pharmacovigilance/", include("cases.pharmacovigilance.urls")),
    path("annuaire/", include("referents.urls")),
    path("reunions/", include("meetings.urls")),
    path("documents/", include("meetings.documents.urls")),
    path("notifications/", include("tigre.notifications.urls")),
    path("journal/", include("tigre.audit.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "tigre.views.error_403"
handler404 = "tigre.views.error_404"
handler500 = "tigre.views.error_500"

if settings.DEBUG:
    urlpatterns += [path("dev/", include("tigre.notifications.dev_urls"))]
