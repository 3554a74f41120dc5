"""Shared by the Django drivers (django_driver.py, peers_django.py): settings for the recording's
PostgreSQL, unmanaged models on our own tables, the application_name per scenario, and the
`django.db.backends` DEBUG log (the logging docs' "verbose" formatter) into the scenario's ORM log.
Import it before any model: it configures Django from the spec file given as the first argument."""
import json
import logging
import sys

import django
from django.conf import settings

with open(sys.argv[1]) as f:
    PG = json.load(f)["pg"]

settings.configure(
    DEBUG=True,
    INSTALLED_APPS=["__main__"],
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": PG["database"], "USER": PG["user"], "HOST": PG["host"], "PORT": str(PG["port"]), "OPTIONS": {}}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    LOGGING={"version": 1, "disable_existing_loggers": False},
)
django.setup()

from django.db import connection  # noqa: E402


def meta(table):
    """The Meta of an unmanaged model on an existing table."""
    return type("Meta", (), {"app_label": "__main__", "managed": False, "db_table": table})


class OrmLog:
    """Connects as `app` (every thread's connection is built from the same settings dict) and logs
    django.db.backends into `path` until close()."""

    def __init__(self, app, path):
        connection.close()
        settings.DATABASES["default"]["OPTIONS"]["application_name"] = app
        self.handler = logging.FileHandler(path, mode="w")
        self.handler.setFormatter(logging.Formatter("{levelname} {asctime} {module} {process:d} {thread:d} {message}", style="{"))
        log = logging.getLogger("django.db.backends")
        log.addHandler(self.handler)
        log.setLevel(logging.DEBUG)

    def close(self):
        logging.getLogger("django.db.backends").removeHandler(self.handler)
        self.handler.close()
