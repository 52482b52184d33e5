"""The web's own forms, bound to what a program sent: the same rules, the same messages.

An operation that changes something validates its input with the form the web page uses
(`bound`, then `cleaned`), so the API can neither accept what the page refuses nor refuse
what the page accepts; a form's errors answer 422, each at its field. A person or a file is
named in the API by what a program knows of it (an email address, a UUID, a name), and is
turned here into the choice the form expects (`choice`): an unknown one reaches the form
as it was sent, and the form refuses it in its own words.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict

from api.errors import Invalid


def bound[F: forms.BaseForm](form_class: type[F], data: Mapping[str, Any], files: Any = None, **kwargs: Any) -> F:
    """`form_class` bound to `data` as a browser would post it: lists as repeated fields,
    None as a field left empty, everything else as text."""
    values: MultiValueDict[str, str] = MultiValueDict()
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            values.setlist(name, [str(item) for item in value])
        elif isinstance(value, bool):
            values[name] = "yes" if value else "no"
        else:
            values[name] = str(value)
    return form_class(values, files, **kwargs)


def cleaned(form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned data, or 422 with its errors, each at its field ("__all__" for the whole)."""
    if form.is_valid():
        return form.cleaned_data
    raise Invalid({name: [str(message) for message in messages] for name, messages in form.errors.items()})


def invalid(field: str, message: str) -> Invalid:
    """422 at one field ("__all__" for the whole), as a form error would be."""
    return Invalid({field: [message]})


def choice(value: Any, candidates: Iterable[Any], key: str) -> Any:
    """The primary key of the candidate whose `key` equals `value` (an email, a UUID, a name);
    `value` itself when none does, for the form to refuse as not one of its choices."""
    if value in (None, ""):
        return None
    wanted = str(value).strip().lower()
    for candidate in candidates:
        if str(getattr(candidate, key)).lower() == wanted:
            return candidate.pk
    return str(value)
