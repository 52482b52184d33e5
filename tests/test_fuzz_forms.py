"""Every form and filter, fed input that cannot be right, answers without a 5xx (Hardening).

The views come from the URLconf through the permission matrix (its world holds incidents
with evidence, actions, a review and an import, and a person for every role). Each view is
opened as someone allowed to use it; the forms it renders name the fields. Then:

- each date field in turn gets a date out of range while the others hold plausible values
  (so the form gets as far as using it); then the text fields get text from every Unicode
  plane, one of them 1 MB, and the other fields values of the wrong type;
- every field turns hostile at once, as single values and as lists;
- GET pages (filters, links) get the same in their query string;
- finally every page is opened again, as a saved hostile value must not break what shows it
  (an awareness date in 9999 once broke the incident list for everyone in scope).

Any 5xx fails, with the request that caused it. Bounded: under a thousand requests, about
a minute on SQLite; the figures are printed (`pytest -s`).
"""

import logging
from collections.abc import Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import dates

from . import test_permission_matrix as matrix
from .test_permission_matrix import EXPECTED, ROLES, url_for

world = matrix.world

# One character from each of the 17 Unicode planes (no surrogates: they cannot be sent
# as UTF-8), and the awkward ones: NUL, bidirectional overrides, a joined emoji family,
# combining marks, CJK, Urdu, a byte-order mark and a non-character.
EVERY_PLANE = "".join(chr(plane * 0x10000 + 0x41) for plane in range(17))
AWKWARD = "\x00 \u202e\u2066 👩‍👩‍👧‍👦 é\u0301\u0301 中文 اردو \ufeff \uffff 𝕏"
UNICODE = EVERY_PLANE + AWKWARD
MEGABYTE = "x" * (1024 * 1024)
OUT_OF_RANGE_DATES = ["0001-01-01", "9999-12-31T23:59", "0000-01", "31/12/9999", "99999-01-01"]
WRONG_TYPES = ["abc", "-99999999999999999999", "1e309", "NaN", "[]", "true", "../../etc/passwd"]
QUERY_KEYS = ["page", "scope", "month", "reported_from", "reported_to", "start", "end", "status", "edition", "closed"]
EXTRA_PAGES = ["/accounts/login/", "/accounts/password/reset/"]
TEXT_FIELDS = (forms.CharField,)
DATE_FIELDS = (forms.DateField, forms.DateTimeField, dates.MonthField)


def role_for(name: str) -> str:
    """Someone who gets the view itself: anyone for public pages, else the first role allowed."""
    expect = EXPECTED[name]
    if "anonymous" in expect.statuses:
        return "anonymous"
    return next((role for role in ROLES[1:] if expect.status_for(role) < 400), "handler")


def rendered_forms(response: Any) -> list[forms.BaseForm]:
    found: list[forms.BaseForm] = []
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and value not in found:
                found.append(value)
    return found


def plausible(field: forms.Field) -> Any:
    """A value the field would accept, so that one hostile field is all that is wrong."""
    now = timezone.localtime() - timedelta(hours=1)
    if isinstance(field, dates.MonthField):
        return now.strftime("%Y-%m")
    if isinstance(field, forms.DateTimeField):
        return now.strftime("%Y-%m-%dT%H:%M")
    if isinstance(field, forms.DateField):
        return now.strftime("%Y-%m-%d")
    if isinstance(field, forms.ModelChoiceField):
        first = field.queryset.first()  # type: ignore[union-attr]
        value = "" if first is None else str(getattr(first, field.to_field_name or "pk"))
        return [value] if isinstance(field, forms.ModelMultipleChoiceField) else value
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        values = [str(v) for v, label in choices if v not in ("", None) and not isinstance(label, list | tuple)]
        first = values[0] if values else ""
        return [first] if isinstance(field, forms.MultipleChoiceField) else first
    if isinstance(field, forms.BooleanField):
        return "on"
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return "1"
    if isinstance(field, forms.EmailField):
        return "fuzz@example.org"
    if isinstance(field, forms.FileField):
        return ""
    return "Plausible text"


def payloads(page_forms: list[forms.BaseForm]) -> Iterator[tuple[str, dict[str, Any]]]:
    """A handful of requests per form: each date field out of range on its own (the rest
    plausible, so the form gets as far as using the date), then all text fields in every
    Unicode plane, one text field of 1 MB, the other fields of the wrong type, and every
    field hostile at once, as single values and as lists."""
    fields = {form.add_prefix(name): field for form in page_forms for name, field in form.fields.items()}
    baseline = {key: plausible(field) for key, field in fields.items()}
    date_keys = [key for key, field in fields.items() if isinstance(field, DATE_FIELDS)]
    text_keys = [key for key, field in fields.items() if isinstance(field, TEXT_FIELDS) and key not in date_keys]
    other_keys = [key for key in fields if key not in date_keys and key not in text_keys]
    for key in date_keys:
        for value in OUT_OF_RANGE_DATES[:3]:
            yield f"{key}={value}", baseline | {key: value}
    if text_keys:
        yield "text in every plane", baseline | dict.fromkeys(text_keys, UNICODE)
        yield f"1 MB in {text_keys[0]}", baseline | {text_keys[0]: MEGABYTE}
    if other_keys:
        for value in WRONG_TYPES[:2]:
            yield f"wrong type {value}", baseline | dict.fromkeys(other_keys, value)
    keys = list(fields) or ["reason", "title", "body", "message", "decision", "occurred_on", "month"]
    yield "all out of range", {key: OUT_OF_RANGE_DATES[i % 3] for i, key in enumerate(keys)}
    yield "all as lists", {key: [*OUT_OF_RANGE_DATES, *WRONG_TYPES, UNICODE] for key in keys}


def query_for(data: dict[str, Any]) -> dict[str, Any]:
    values = [v for v in data.values() if isinstance(v, str) and len(v) < 1000] or ["0000-01"]
    return data | {key: values[i % len(values)] for i, key in enumerate(QUERY_KEYS) if key not in data}


@pytest.mark.asvs("V2.2.1")
@pytest.mark.asvs("V16.5.3")
def test_no_form_or_filter_answers_5xx_to_hostile_input(
    world: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # Django logs each 4xx with its request; kept by the log capture, a few thousand requests
    # carrying 1 MB each would hold gigabytes. Failures are collected below instead.
    caplog.set_level(logging.CRITICAL, logger="django.request")
    client = Client(raise_request_exception=False)
    failures: list[str] = []
    addresses = count(1)
    sent = 0

    def send(role: str, method: str, url: str, data: dict[str, Any], label: str) -> None:
        nonlocal sent
        client.logout()
        if role != "anonymous":
            client.force_login(world["people"][role])
        # A new address for each request, so the public pages' rate limits never answer
        # in place of the form (a 429 would hide what the form does with the input).
        n = next(addresses)
        response = getattr(client, method)(url, data, REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {method.upper()} {url} as {role} [{label}]")

    targets = [(role_for(n), EXPECTED[n].method, url_for(n, world["kwargs"])) for n in EXPECTED]
    targets += [("anonymous", "get", url) for url in EXTRA_PAGES]
    # GETs first, then the POSTs (which may change what later pages show).
    targets.sort(key=lambda t: (t[1] != "get", t[2]))
    pages = [(role, url) for role, method, url in targets if method == "get"]

    for role, method, url in targets:
        page_forms: list[forms.BaseForm] = []
        filters = False  # a GET form on the page: its input comes in the query string
        if method == "get":
            client.logout()
            if role != "anonymous":
                client.force_login(world["people"][role])
            page = client.get(url)
            if page.status_code == 200:
                page_forms = rendered_forms(page)
                filters = not page.streaming and b'method="get"' in page.content
        for label, data in payloads(page_forms):
            send(role, "post", url, data, label)
            if method == "get" and (filters or not page_forms) and MEGABYTE not in data.values():
                send(role, "get", url, query_for(data), label)

    # What was saved must not break what shows it: every page again, as each of its users.
    for role, url in pages:
        send(role, "get", url, {}, "after the hostile posts")
    everyone = [r for r in ROLES if r != "anonymous"]
    for role in everyone:
        for url in (reverse("incidents:list"), reverse("insights:log"), reverse("insights:dashboard")):
            send(role, "get", url, {}, "after the hostile posts")

    print(f"fuzz: {sent} requests to {len(targets)} views, {len(failures)} answered 5xx")
    assert sent > 500  # the walk reached the forms (a walk that sent nothing proves nothing)
    assert failures == []
