from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = "Personal data breaches"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents.registry import add_blocker, add_page_list, add_section

        from .casefile_section import breach_sections
        from .models import ASSESSMENTS, assessments_query, closure_blockers

        add_section(breach_sections)
        # A personal data breach closes only with an assessment and the DPO's decision on it.
        add_blocker("close", closure_blockers)
        # The panel and the close step read the assessments with the incident page's other lists.
        add_page_list(ASSESSMENTS, assessments_query)

        describe_action("breach.assessed", "Breach assessed")
        describe_action("breach.decided", "ICO decision recorded")
        describe_action("breach.ico_reported", "Reported to the ICO")
        describe_action("breach.individuals_told", "People affected told")
        describe_action("breach.document_generated", "Breach document generated")
        describe_action("breach.ico_response", "ICO response recorded")
        describe_action("breach.not_a_breach", "Recorded as not a personal data breach")
        describe_action("breach.report_details_changed", "ICO report details changed")
