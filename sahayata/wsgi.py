"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahayata.settings")
application = get_wsgi_application()
# Import every view and build the API now: gunicorn preloads this module in its master, so
# a worker forked after a restart or a recycle answers its first request without a second
# of imports (the database is not touched here; each worker opens its own connections).
_ = get_resolver().url_patterns
