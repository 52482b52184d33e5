from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class EvidenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self) -> None:
        from audit.models import describe_action

        describe_action("evidence.uploaded", "Evidence added")
        describe_action("evidence.downloaded", "Evidence downloaded")
        describe_action("evidence.withdrawn", "Evidence withdrawn")

        from audit.verify import add_integrity_check
        from incidents.registry import add_follower

        from .services import follow_duplicate

        # A duplicate's evidence follows it into the incident it is merged into, custody kept.
        add_follower(follow_duplicate)

        from .integrity import check_files

        add_integrity_check(check_files)
        checks.register(scanner_required, checks.Tags.security, deploy=False)


def scanner_required(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production never stores a file no virus scanner has seen."""
    if getattr(settings, "PRODUCTION", False) and not settings.CLAMAV_SOCKET:
        return [
            checks.Error(
                "CLAMAV_SOCKET is not set: uploaded files would not be scanned for malware.",
                hint="Install clamav-daemon, run freshclam, and set CLAMAV_SOCKET (docs/deploy.md).",
                id="evidence.E001",
            )
        ]
    return []
