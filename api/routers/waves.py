"""The wave steps of the table as operations (docs/waves.md), as `steps.py` takes the others.

    POST /incidents/{incident_uuid}/related      link a related incident, with why
    POST /incidents/{incident_uuid}/duplicate    close this one as a duplicate of another
    POST /incidents/{incident_uuid}/duplicates   merge other incidents into this one
    POST /incidents/{incident_uuid}/tags         add and take off tags, by name

Incidents are named by reference, as on the pages, and found among those the caller may see.
"""

from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema

from api.schemas import STEP_REFUSALS
from incidents import forms as f
from incidents import lifecycle
from incidents.models import Incident, Tag, tags_for

from .forms import bound, cleaned, invalid
from .steps import IncidentState, incident_for_step, state

router = Router(tags=["Lifecycle steps"])


class LinkIn(Schema):
    reference: str | None = Field(None, description="The related incident's reference.")
    reason: str | None = Field(None, description="Why they are related.")


class DuplicateIn(Schema):
    reference: str | None = Field(None, description="The reference of the incident this one duplicates.")
    reason: str | None = None


class MergeIn(Schema):
    references: list[str] | None = Field(None, description="The references of the duplicates to close into this one.")
    reason: str | None = None


class TagsIn(Schema):
    add: list[str] = Field(default_factory=list, description="Names of tags to add.")
    remove: list[str] = Field(default_factory=list, description="Names of tags to take off.")


class MergeOut(IncidentState):
    merged: list[str] = Field(default_factory=list, description="References closed as duplicates of this one.")
    refused: dict[str, str] = Field(default_factory=dict, description="Each reference not merged, and why.")


def visible(request: HttpRequest, reference: str) -> Incident:
    """The incident of that reference among those the caller may see (422 at "reference" if none, as on the page)."""
    found = Incident.objects.visible_to(request.user).filter(reference=reference.strip().upper()).first()
    if found is None:
        raise invalid("reference", "No incident you can see has that reference.")
    return found


@router.post(
    "/incidents/{incident_uuid}/related",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Link a related incident",
)
def link(request: HttpRequest, incident_uuid: UUID, payload: LinkIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "link_related")
    values = cleaned(bound(f.LinkForm, payload.dict(exclude_unset=True)))
    other = visible(request, values["reference"])
    lifecycle.link_related(incident, by=request.user, other=other, reason=values["reason"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/duplicate",
    response={200: IncidentState, **STEP_REFUSALS},
    summary="Close as a duplicate",
)
def duplicate(request: HttpRequest, incident_uuid: UUID, payload: DuplicateIn) -> IncidentState:
    """Close this incident as a duplicate of another: its evidence and reporter move there."""
    incident, _ = incident_for_step(request, incident_uuid, "close_duplicate")
    values = cleaned(bound(f.DuplicateForm, payload.dict(exclude_unset=True)))
    survivor = visible(request, values["reference"])
    lifecycle.close_as_duplicate(incident, by=request.user, survivor=survivor, reason=values["reason"])
    return state(request, incident)


@router.post(
    "/incidents/{incident_uuid}/duplicates",
    response={200: MergeOut, **STEP_REFUSALS},
    summary="Merge duplicates into this incident",
)
def merge(request: HttpRequest, incident_uuid: UUID, payload: MergeIn) -> MergeOut:
    """Close each incident named as a duplicate of this one; those the table refuses are listed with why."""
    incident, _ = incident_for_step(request, incident_uuid, "take_duplicates")
    references = [r.strip().upper() for r in payload.references or [] if r.strip()]
    if not references:
        raise invalid("references", "Give the references of the duplicates.")
    found = {i.reference: i for i in Incident.objects.visible_to(request.user).filter(reference__in=references)}
    outcome = lifecycle.merge(incident, [found[r] for r in references if r in found], by=request.user)
    refused = {str(i.reference): words for i, words in outcome.refused}
    refused |= {r: "No incident you can see has this reference." for r in references if r not in found}
    return MergeOut(**state(request, incident).dict(), merged=[str(i.reference) for i in outcome.done], refused=refused)


@router.post("/incidents/{incident_uuid}/tags", response={200: IncidentState, **STEP_REFUSALS}, summary="Change tags")
def tags(request: HttpRequest, incident_uuid: UUID, payload: TagsIn) -> IncidentState:
    incident, _ = incident_for_step(request, incident_uuid, "tag")
    offered = {t.name.lower(): t for t in tags_for(incident.organisation)}
    carried = {t.name.lower(): t for t in Tag.objects.filter(taggings__incident=incident)}
    unknown = [name for name in payload.add if name.strip().lower() not in offered]
    if (not payload.add and not payload.remove) or unknown:
        raise invalid("add", f"No tag called {unknown[0]} here." if unknown else "Name a tag to add or take off.")
    lifecycle.change_tags(
        incident,
        by=request.user,
        add=[offered[n.strip().lower()] for n in payload.add],
        remove=[carried[n.strip().lower()] for n in payload.remove if n.strip().lower() in carried],
    )
    return state(request, incident)
