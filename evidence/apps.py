from django.apps import AppConfig


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

        from .integrity import check_files

        add_integrity_check(check_files)
