"""The quick select (core/forms.py) draws exactly what the select template draws, faster."""

import pytest
from django import forms

from core.forms import QuickModelChoiceField
from organisations.models import Organisation

from .factories import OrganisationFactory


class Quick(forms.Form):
    organisation = QuickModelChoiceField(label="Organisation", queryset=Organisation.objects.none(), required=False)


class Template(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none(), required=False)


@pytest.mark.parametrize(
    "data", [None, {}, "first", {"organisation": "nonsense"}], ids=["unbound", "empty", "chosen", "invalid"]
)
def test_quick_select_markup_is_the_templates(db: None, data: object) -> None:
    root = OrganisationFactory(name='Trust of "Saints" & <Scholars>')
    schools = [OrganisationFactory(name=f"St Mary's School {n}", parent=root) for n in range(3)]
    if data == "first":
        data = {"organisation": str(schools[1].pk)}
    quick, template = Quick(data), Template(data)  # type: ignore[arg-type]
    for form in (quick, template):
        form.fields["organisation"].queryset = Organisation.objects.order_by("path")  # type: ignore[attr-defined]
        form.is_valid()
    drawn = str(quick["organisation"])
    assert drawn == str(template["organisation"])
    assert "&quot;Saints&quot; &amp; &lt;Scholars&gt;" in drawn and "St Mary&#x27;s School 2" in drawn
    if data == {"organisation": "nonsense"}:
        assert 'aria-invalid="true"' in drawn and "govuk-select--error" in drawn
    if isinstance(data, dict) and data.get("organisation", "").isdigit():
        assert quick.cleaned_data["organisation"] == schools[1]
        assert f'<option value="{schools[1].pk}" selected>' in drawn


def test_kept_options_follow_a_renamed_or_added_organisation_and_the_chosen_one(db: None) -> None:
    """The options' markup is kept between pages (`core.forms._options`), keyed by the options
    read afresh each time: a rename, a new school or another choice is never drawn stale."""
    root = OrganisationFactory(name="Trust")
    school = OrganisationFactory(name="Old Name School", parent=root)

    def drawn(data: dict[str, str] | None = None) -> str:
        form = Quick(data)
        form.fields["organisation"].queryset = Organisation.objects.order_by("path")  # type: ignore[attr-defined]
        form.is_valid()
        return str(form["organisation"])

    first = drawn()
    assert drawn() == first and "Old Name School" in first
    Organisation.objects.filter(pk=school.pk).update(name="New <Name> School")
    renamed = drawn()
    assert "Old Name School" not in renamed and "New &lt;Name&gt; School" in renamed
    added = OrganisationFactory(name="Added School", parent=root)
    assert "Added School" in drawn()
    chosen = drawn({"organisation": str(added.pk)})
    assert f'<option value="{added.pk}" selected>' in chosen and f'<option value="{added.pk}">' in drawn()
