from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tigre.settings.dev")
# Read by the settings: web processes get the statement timeout and the wait deadline on the database.
os.environ.setdefault("TIGRE_PROCESS", "web")

application = get_wsgi_application()
