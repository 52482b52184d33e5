"""The GOV.UK form pattern on every form ("Daily work"): submitted empty, each form says which
field needs what ("Select the severity", never "This field is required."), in the error summary
and beside the field; every summary link lands on its field; and a label says "(optional)" only
when the form accepts the field empty, so labels cannot drift from the validation.

The forms are found, not listed: every page of the permission matrix's world is opened as each
role that may open it, and every form on it that posts back to the page is sent empty.
"""

from typing import Any

import pytest
from django import forms
from lxml import html

from core.forms import required_message

from .test_permission_matrix import EXPECTED, ROLES, url_for, world  # noqa: F401  (world is a fixture)

GENERIC = "This field is required."


def pages_with_forms(client: Any, world: dict) -> list[tuple[str, str, str]]:  # noqa: F811
    found = []
    for name in sorted(EXPECTED):
        expect = EXPECTED[name]
        if expect.method != "get":
            continue
        role = next((r for r in ROLES if r != "anonymous" and expect.status_for(r) == 200), None)
        if role is None:
            continue
        client.force_login(world["people"][role])
        url = url_for(name, world["kwargs"])
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        tree = html.fromstring(page.content)
        for form in tree.xpath("//form[@method='post' or @method='POST']"):
            action = form.get("action") or url
            if action.split("?")[0] == url.split("?")[0] and form.xpath(".//input[@type!='hidden'] | .//textarea"):
                found.append((name, role, url))
                break
    return found


def words(node: Any) -> str:
    return " ".join(node.text_content().split())


def labels_of(tree: Any) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.xpath("//label | //legend")]


@pytest.mark.django_db
def test_every_form_sent_empty_names_each_field_and_links_to_it(client, world: dict) -> None:  # noqa: F811
    checked = 0
    problems = []
    for name, role, url in pages_with_forms(client, world):
        client.force_login(world["people"][role])
        before = html.fromstring(client.get(url).content)
        response = client.post(url, {})
        if response.status_code != 200:
            continue  # a form whose every field may be empty: accepted, nothing to say
        checked += 1
        text = response.content.decode()
        tree = html.fromstring(response.content)
        if GENERIC in text:
            problems.append(f"{name}: says only '{GENERIC}'")
        links = tree.xpath("//div[contains(@class, 'govuk-error-summary')]//a/@href")
        for href in links:
            if not tree.xpath(f"//*[@id='{href.lstrip('#')}']"):
                problems.append(f"{name}: summary link {href} leads nowhere")
        summary = [
            " ".join(a.text_content().split()) for a in tree.xpath("//div[contains(@class, 'govuk-error-summary')]//a")
        ]
        if len(summary) != len(set(summary)):
            problems.append(f"{name}: the summary repeats a message: {summary}")
        inline = [
            " ".join(p.text_content().replace("Error:", "").split())
            for p in tree.xpath("//p[contains(@class, 'govuk-error-message')]")
        ]
        for message in summary:
            if message not in inline:
                problems.append(f"{name}: '{message}' is in the summary but not beside its field")
        # A field labelled optional was accepted empty: no error in its group.
        for group in tree.xpath("//div[contains(@class, 'govuk-form-group--error')]"):
            label = " ".join(" ".join(n.text_content().split()) for n in group.xpath(".//label[1] | .//legend[1]"))
            if label.endswith("(optional)"):
                problems.append(f"{name}: '{label}' is labelled optional but was refused empty")
        for label in labels_of(before):
            if label.count("(optional)") > 1 or ("(optional)" in label and "(needed" in label):
                problems.append(f"{name}: label '{label}'")
    assert checked >= 15, f"only {checked} forms were checked: the finder is broken"
    assert not problems, "\n".join(problems)


def test_required_messages_say_what_to_do() -> None:
    class Example(forms.Form):
        severity = forms.ChoiceField(label="Severity", choices=[("minor", "Minor")], widget=forms.RadioSelect)
        description = forms.CharField(label="What happened")
        nature = forms.ChoiceField(label="What is it?", choices=[("event", "Event")], widget=forms.RadioSelect)
        file = forms.FileField(label="Evidence file")
        agree = forms.BooleanField(label="I have read the policy")
        own = forms.CharField(label="Own", error_messages={"required": "Give the reason for the change"})

    form = Example({})
    assert not form.is_valid()
    assert [required_message(form[name]) for name in form.fields] == [
        "Select the severity",
        "Enter what happened",
        "Select an answer to “What is it?”",
        "Choose the evidence file",
        "Tick “I have read the policy” to go on",
        "Give the reason for the change",
    ]
    assert [str(e) for e in form["severity"].errors] == ["Select the severity"]
