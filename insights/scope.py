"""Whose incidents a report covers, and how much of them the person may see.

A scope is one organisation and everything beneath it, chosen among the organisations
where the person holds a reporting role (on the node or above). Handlers (incident
manager, SIRO, DPO) see the figures and the incidents behind them; governance viewers
see counts only, never the incidents, people or personal data.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import ExpressionWrapper, F, IntegerField
from django.http import Http404, HttpRequest

from actions.models import RemedialAction
from incidents.models import Incident
from organisations.models import HANDLER_ROLES, Organisation, Role
from organisations.powers import memberships_of, powers

REPORT_ROLES = frozenset(HANDLER_ROLES | {Role.GOVERNANCE})


@dataclass
class Scope:
    organisation: Organisation
    choices: list[Organisation]
    is_handler: bool

    user: Any = None

    def incidents(self) -> Any:
        """What the figures and lists count: a handler's, through `visible_to`; a governance
        viewer's, every incident but restricted ones (counted apart: `restricted`)."""
        # The rule applied to the rows themselves, not `pk IN (everything they may see)`: a set
        # that would be built in full on every request however few rows the page reads.
        organisations = self.organisations().values("pk")
        if self.is_handler and self.user is not None:
            if self._covers_their_reach():
                # The scope holds all their roles reach, so most of what they may see: the scope is
                # asked of each row ("+ 0": not through the organisation index), and the list walks
                # its own order. Asked through that index, SQLite gathered the county and sorted it
                # (the monitoring log's count took 1.1 s at 100,000 incidents).
                plain = ExpressionWrapper(F("organisation_id") + 0, output_field=IntegerField())
                within: Any = Incident.objects.alias(scope_organisation=plain).filter(
                    scope_organisation__in=organisations
                )
            else:
                within = Incident.objects.filter(organisation__in=organisations)
            return within.visible_to(self.user)
        return Incident.objects.filter(organisation__in=organisations).unrestricted()

    def _covers_their_reach(self) -> bool:
        """Whether the person sees from the top of a tree and every organisation where their roles
        let them see incidents lies in this scope."""
        from incidents.models.incident import reach_paths

        paths = reach_paths(self.user)
        inside = bool(paths) and all(path.startswith(self.organisation.path) for path in paths)
        return inside and Incident.objects.seen_from_a_root(self.user)

    def restricted(self) -> Any:
        """The "exists" placeholder: restricted incidents here this person may not open (reference, status)."""
        return Incident.objects.restricted_from(self.user).filter(organisation__path__startswith=self.organisation.path)

    def actions(self) -> Any:
        return RemedialAction.objects.filter(organisation__path__startswith=self.organisation.path)

    def organisations(self) -> Any:
        return self.organisation.descendants()

    @property
    def is_group(self) -> bool:
        """A trust, a DPO service or a council: a scope with organisations beneath it."""
        return self.organisation.kind != Organisation.Kind.SCHOOL or self.organisation.children.exists()


def memberships(user: Any, roles: Any) -> list[tuple[str, str]]:
    """(organisation path, role) of the person's memberships in `roles`."""
    wanted = {str(role) for role in roles}
    return [(path, role) for path, role in memberships_of(user) if role in wanted]


def resolve(request: HttpRequest, roles: Any = REPORT_ROLES, param: str = "scope") -> Scope:
    """The scope asked for in `?scope=<organisation uuid>`, or the widest one the person has.

    Anyone without a reporting role, or asking for an organisation outside theirs, gets a 404.
    """
    held = memberships(request.user, roles)
    if not held:
        raise Http404
    choices = list(
        Organisation.objects.under_paths({path for path, _ in held}).only("id", "uuid", "name", "path", "kind")
    )
    if not choices:
        raise Http404
    wanted = request.GET.get(param) or request.POST.get(param)
    if wanted:
        chosen = next((org for org in choices if str(org.uuid) == wanted), None)
        if chosen is None:
            raise Http404
    else:
        chosen = min(choices, key=lambda org: (org.path.count("/"), org.name))
    return Scope(
        organisation=chosen, choices=choices, is_handler=powers(request.user, chosen).is_handler, user=request.user
    )


def resolve_for_handlers(request: HttpRequest, param: str = "scope") -> Scope:
    """A scope for pages that show incidents themselves: handlers only."""
    return resolve(request, roles=HANDLER_ROLES, param=param)
