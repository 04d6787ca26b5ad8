"""WSGI entry point (gunicorn ``tigre.wsgi:application``). Production settings unless DJANGO_SETTINGS_MODULE says
otherwise: a server started without it refuses to run on SQLite or a console e-mail backend."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tigre.settings.production")
# Read by the settings: web processes get the statement timeout and the wait deadline on the database.
os.environ.setdefault("TIGRE_PROCESS", "web")

application = get_wsgi_application()
