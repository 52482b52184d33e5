from django.apps import AppConfig

from core.seeding import reseed_after_migrate


class IncidentsConfig(AppConfig):
    name = "incidents"

    def ready(self) -> None:
        reseed_after_migrate(self, "incidents.builtins", "add_types")
        reseed_after_migrate(self, "incidents.builtins", "add_items")
        from audit.models import describe_action

        from .casefile_sections import lifecycle_sections
        from .registry import add_section

        add_section(lifecycle_sections)
        # Sealed values name their data key by the incident's uuid (audit/sealing.py).
        from audit.sealing import set_key_lookup

        from .models import Incident

        set_key_lookup(
            lambda key_id: Incident.objects.filter(uuid=key_id).values_list("content_key", flat=True).first()
        )
        # Its line on each organisation's settings page.
        from .settings_lines import register

        register()
        # Someone outside the organisation reading an incident passes a second factor too.
        from organisations.powers import add_second_factor_reason

        from .restriction import is_outside_person

        add_second_factor_reason(is_outside_person)

        for action, text in {
            "incident.reported": "Reported",
            "incident.viewed": "Viewed",
            "incident.triaged": "Triaged",
            "incident.reclassified": "Reclassified",
            "incident.investigator_assigned": "Investigating officer assigned",
            "incident.investigation_started": "Investigation started",
            "incident.outcome_submitted": "Outcome report submitted",
            "incident.outcome_accepted": "Outcome report accepted",
            "incident.outcome_returned": "Outcome report returned with comments",
            "incident.closed": "Closed",
            "incident.closed_not_incident": "Closed: not an incident",
            "incident.reopened": "Reopened",
            "incident.recorded_on_behalf": "Recorded for the reporter by a handler",
            "incident.corrected": "Report corrected",
            "incident.dpo_advice_requested": "DPO asked for advice",
            "incident.dpo_advised": "DPO's advice recorded",
            "incident.dpo_reviewed": "Reviewed by the DPO",
            "incident.dpo_directed": "DPO directed the investigating officer",
            "incident.siro_signed_off": "Outcome signed off by the SIRO",
            "settings.siro_sign_off_changed": "SIRO sign-off setting changed",
            "incident.closed_duplicate": "Closed as a duplicate",
            "incident.duplicates_merged": "Duplicates merged into this incident",
            "related.linked": "Related incident linked",
            "tags.changed": "Tags changed",
            "settings.tag_added": "Tag added",
            "settings.tag_removed": "Tag removed",
            # Written before the decision moved to the breach record; old timelines still show it.
            "incident.ico_decision_recorded": "ICO decision recorded",
            # Written when the public page's named reporter had a model of its own (parties);
            # who they are is now on the incident and in its "incident.reported" event.
            "incident.external_reporter": "Reported by someone outside the organisation",
            "restriction.set": "Restricted to named people",
            "restriction.changed": "People a restriction names changed",
            "restriction.lifted": "Restriction lifted",
            "outside.invited": "Outside help invited",
            "outside.accepted": "Outside help invitation accepted",
            "outside.ended": "Outside help ended",
            "outside.expired": "Outside help reached its end date",
            "checklist.item_updated": "Checklist item updated",
            "note.added": "Internal note added",
            "reporter.message_sent": "Message sent to the reporter",
            "outcome.saved": "Outcome report draft saved",
            "settings.severity_definitions_changed": "Severity definitions changed",
            "settings.checklist_item_added": "Checklist item added to the template",
            "settings.checklist_item_removed": "Checklist item removed from the template",
            "settings.incident_type_added": "Incident type added",
            "settings.incident_type_removed": "Incident type removed",
        }.items():
            describe_action(action, text)
