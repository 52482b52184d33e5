from django.apps import AppConfig


class PartiesConfig(AppConfig):
    """Third parties (suppliers, processors, other controllers) and the outside bodies told."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "parties"
    verbose_name = "Third parties and other bodies"

    def ready(self) -> None:
        from audit.models import describe_action
        from incidents.registry import add_section

        from .casefile_section import parties_sections
        from .settings_lines import register

        add_section(parties_sections)
        register()
        describe_action("third_party.added", "Supplier or processor added to the register")
        describe_action("third_party.changed", "Supplier or processor changed on the register")
        describe_action("body_rules.changed", "Bodies told of an incident type changed")
        describe_action("body_rules.inherited", "Bodies told of an incident type: as the organisation above")
        describe_action("parties.linked", "Third party involved recorded")
        describe_action("parties.processor_told_us", "When the third party told us recorded")
        describe_action("parties.controller_told", "When we told the controller recorded")
        describe_action("parties.body_told", "Outside body told")
        describe_action("parties.body_not_needed", "Outside body: not needed")
