from django.apps import AppConfig


class AnonymousConfig(AppConfig):
    name = "anonymous"
    verbose_name = "Anonymous and confidential reporting"

    def ready(self) -> None:
        from lib import clock

        from .models import PublicReportPage

        # Every app formats anonymous reports' times through lib.clock; the choice is here.
        clock.set_precision_source(PublicReportPage.time_precision_for, PublicReportPage.exact_time_organisations)
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()
        # The requests to know a confidential reporter, read with the incident page's other lists.
        from incidents.registry import add_page_list

        from .models import IdentityRequest

        add_page_list("identity_requests", lambda: IdentityRequest.objects.select_related("requested_by", "decided_by"))
