"""ASGI entry point. Production settings unless DJANGO_SETTINGS_MODULE says otherwise (as in wsgi.py)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tigre.settings.production")

application = get_asgi_application()
