"""What bringing a county in keeps beyond the organisation tree itself.

`OrganisationUrn`: the DfE unique reference number of a school, so a list of schools can be
imported again (and people matched to their school) by the number the county already uses.
`DormantAccount`: a person who holds a role on an organisation and has not signed in for
`LEAVER_AFTER_DAYS`, flagged once to the organisation's admin.
"""

from django.conf import settings
from django.db import models

from organisations.models import Organisation


class OrganisationUrn(models.Model):
    """An organisation's DfE unique reference number (URN): one number, one organisation."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="urn_record")
    urn = models.CharField("URN", max_length=20, unique=True)

    def __str__(self) -> str:
        return f"{self.urn}: {self.organisation}"


class DormantAccount(models.Model):
    """A person with a role here who has not signed in for a long time: perhaps a leaver.

    States: flagged (listed on the people page until they sign in again or lose their roles
    here; the periodic job removes the flag then). One flag per person and organisation.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="dormant_accounts")
    last_sign_in = models.DateTimeField(null=True, blank=True)
    flagged_on = models.DateTimeField()

    class Meta:
        ordering = ["organisation__path", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_dormant_flag")]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}: no sign-in since {self.last_sign_in or 'never'}"
