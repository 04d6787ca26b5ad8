"""WSGI entry point (gunicorn ``tigre.wsgi:application``). Production settings unless DJANGO_SETTINGS_MODULE says
otherwise: a server started without it refuses to run on SQLite or a console e-mail backend."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tigre.settings.production")

application = get_wsgi_application()
