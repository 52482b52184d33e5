from typing import Any

from django import forms

from organisations.models import Organisation

from .models import Incident


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="A reference, or words from the report.")
    status = forms.ChoiceField(label="Status", required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False, empty_label="All organisations"
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", "Any status"), ("open", "Any open status"), *Incident.Status.choices]
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = organisations

    def filter(self, queryset: Any) -> Any:
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("status") == "open":
            queryset = queryset.filter(status__in=Incident.OPEN_STATUSES)
        elif data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("organisation"):
            queryset = queryset.filter(organisation__path__startswith=data["organisation"].path)
        q = (data.get("q") or "").strip()
        if q:
            from django.db.models import Q

            queryset = queryset.filter(
                Q(reference__iexact=q)
                | Q(reference__icontains=q)
                | Q(description__icontains=q)
                | Q(location__icontains=q)
                | Q(information_involved__icontains=q)
            )
        return queryset
