from typing import Any

from django.apps import AppConfig


def update_last_login_to_the_day(sender: Any, user: Any, **kwargs: Any) -> None:
    """Django's `update_last_login`, but to the day: an exact sign-in time could be matched
    to an anonymous report made just after it (lib/clock.py, docs/anonymous-reporting.md)."""
    from lib import clock

    user.last_login = clock.coarse(clock.now(), clock.Precision.DAY)
    user.save(update_fields=["last_login"])


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_to_the_day, dispatch_uid="update_last_login_to_the_day")
