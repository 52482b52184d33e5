"""Form pieces with no domain in them, shared by every app's forms."""

import functools
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.forms.utils import ErrorList
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class QuickSelect(forms.Select):
    """A select of hundreds of options (a county's organisations) drawn in one pass, with the
    markup of templates/django/forms/widgets/select.html: through the template, each option's
    dictionary and loop made the incident list's organisation filter, 577 options, cost about
    70 ms of a county DPO's page (bench/compare.py). No option groups and one chosen value.
    With `QuickModelChoiceField` the options are read as values, not model objects."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        classes = ["govuk-select"]
        if attrs.get("aria-invalid"):
            classes.append("govuk-select--error")
        if attrs.get("class"):
            classes.append(str(attrs["class"]))
        chosen = {str(v) for v in self.format_value(value)}
        shown = format_html_join(
            "",
            "{}",
            (
                (format_html(" {}", key) if attr is True else format_html(' {}="{}"', key, attr),)
                for key, attr in attrs.items()
                if key != "class" and attr is not False
            ),
        )
        options = _options(
            tuple(("" if v is None else str(v), str(label)) for v, label in self.choices), frozenset(chosen)
        )
        return format_html('<select class="{}" name="{}"{}>{}\n</select>', " ".join(classes), name, shown, options)


@functools.lru_cache(maxsize=64)
def _options(choices: tuple[tuple[str, str], ...], chosen: frozenset[str]) -> SafeString:
    """The options' markup, escaped by `format_html`, kept for the same choices and chosen value:
    a county's 577 organisations drawn anew for every list page cost about 8 ms of each. The key is
    the options themselves (read from the database each time), so a renamed or added organisation
    is a new key, never a stale page; 64 keys of about 35 KB each at most."""
    return format_html_join(
        "",
        '\n  <option value="{}"{}>{}</option>',
        ((option, " selected" if option in chosen else "", label) for option, label in choices),
    )


class _LabelColumnChoices(ModelChoiceIterator):
    """(id, label) pairs read as two columns of the queryset, not as model objects."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        field = self.field
        assert isinstance(field, QuickModelChoiceField)
        yield from self.queryset.values_list("pk", field.label_column)


class QuickModelChoiceField(forms.ModelChoiceField):
    """A choice among hundreds of rows (a county's organisations): each option's label is the
    column `label_column` (the row's name), read as values and drawn by `QuickSelect`. What is
    chosen is still checked against the queryset and given as the row."""

    iterator = _LabelColumnChoices
    widget = QuickSelect

    def __init__(self, *args: Any, label_column: str = "name", **kwargs: Any) -> None:
        self.label_column = label_column
        super().__init__(*args, **kwargs)


class HintedChoices:
    """Choices with a hint under each (a severity's definition, a term's meaning), and questions
    revealed by a choice (GOV.UK's conditional reveal): mixed into a radio or checkbox widget.

    `reveals` maps a choice's value to the names of other fields of the same form, shown
    beneath that choice: `HintedRadioSelect(reveals={"yes": ["aware_on"]})`. Without
    JavaScript every revealed question shows, as on GOV.UK; with it, only the chosen one's.
    Whether a revealed field is needed is still the form's validation (and `needed`'s label).
    """

    def __init__(
        self,
        *args: Any,
        hints: dict[str, str] | None = None,
        reveals: dict[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hints = hints or {}
        self.reveals = {str(value): list(names) for value, names in (reveals or {}).items()}
        self.revealed_html: dict[str, str] = {}  # the revealed fields' groups, set as the form renders

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)  # type: ignore[misc]
        option["hint"] = self.hints.get(str(value), "")
        html = self.revealed_html.get(str(value))
        if html and option["attrs"].get("id"):
            option["reveal"] = {"id": f"{option['attrs']['id']}-conditional", "html": html}
        return option


class HintedRadioSelect(HintedChoices, forms.RadioSelect):
    """Radios with a hint under each choice."""


class HintedCheckboxSelectMultiple(HintedChoices, forms.CheckboxSelectMultiple):
    """Checkboxes with a hint under each choice."""


def needed(field: forms.Field, when: str) -> forms.Field:
    """Mark a field that the form accepts empty but a step needs in some cases ("for a personal
    data breach", "to submit"): its label says "(needed …)" instead of "(optional)"."""
    field.needed_when = when  # type: ignore[attr-defined]
    return field


def _what(label: str) -> str:
    """A label as the object of "Enter …" or "Select …": "What happened" → "what happened",
    "Severity" → "the severity"; a question is quoted whole."""
    text = str(label).strip()
    if text.endswith("?"):
        return f"an answer to “{text}”"
    first = text.split(" ", 1)[0].lower()
    lowered = text[:1].lower() + text[1:] if not text[1:2].isupper() else text
    if first in {"what", "when", "where", "who", "whom", "which", "why", "how", "whether", "your", "the", "a", "an"}:
        return lowered
    return f"the {lowered}"


def required_message(bound: BoundField) -> str:
    """What to do about an empty required field, naming it: "Select the severity", "Enter what
    happened", "Choose a file". A message the field sets itself wins."""
    field = bound.field
    own = field.error_messages.get("required", "")
    if own and own != forms.Field.default_error_messages["required"]:
        return str(own)
    widget = field.widget
    label = str(bound.label or bound.name.replace("_", " ")).strip()
    what = _what(label)
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return f"Choose {what}" if what.startswith("the ") else f"Choose a file for {what}"
    if isinstance(widget, forms.CheckboxInput):
        return f"Tick “{label}” to go on"
    if isinstance(widget, forms.RadioSelect | forms.Select | forms.CheckboxSelectMultiple):
        return f"Select {what}"
    return f"Enter {what}"


class GovukBoundField(BoundField):
    """A field whose "required" error says which field and what to do, in the error summary
    and beside the field alike (both read `errors`); a field revealed by another's choice
    (`HintedChoices.reveals`) is drawn beneath that choice, not where it would stand alone."""

    @property
    def errors(self) -> ErrorList:
        found = self.form.errors.as_data().get(self.name)
        if not found:
            return self.form.error_class(renderer=self.form.renderer)
        messages = []
        for error in found:
            if error.code == "required":
                messages.append(required_message(self))
            else:
                messages.extend(error.messages)
        return self.form.error_class(messages, renderer=self.form.renderer, field_id=self.auto_id or None)

    def revealed_by(self) -> str | None:
        """The name of the form's field whose choice reveals this one, if any."""
        for name, field in self.form.fields.items():
            if any(self.name in names for names in getattr(field.widget, "reveals", {}).values()):
                return name
        return None

    def as_field_group(self) -> SafeString:
        if self.revealed_by() is not None:
            return format_html_join("", "{}", ())  # drawn inside the choice that reveals it (see as_widget)
        return super().as_field_group()

    def as_widget(self, widget: Any = None, attrs: Any = None, only_initial: bool = False) -> SafeString:
        widget = widget or self.field.widget
        reveals = getattr(widget, "reveals", None)
        if reveals:
            widget.revealed_html = {
                value: format_html_join("", "{}", ((BoundField.as_field_group(self.form[name]),) for name in names))
                for value, names in reveals.items()
                if all(name in self.form.fields for name in names)
            }
        return super().as_widget(widget, attrs, only_initial)


class GovukRenderer(TemplatesSetting):
    """The project's form renderer (settings.FORM_RENDERER): templates from templates/django/forms,
    and the GOV.UK error pattern on every field of every form."""

    bound_field_class = GovukBoundField
