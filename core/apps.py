from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from . import statistics

    if using == "default":
        statistics.refresh()


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="core.statistics")
        # PostgreSQL's times read by psycopg's compiled loader (core/database.py).
        from .database import fast_times

        connection_created.connect(fast_times, dispatch_uid="core.database.fast_times")
