from django.contrib import admin

from .models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """For the installation's superusers: every email, including those with no organisation (digests)."""

    list_display = ["created_on", "kind", "to_address", "status", "attempts", "next_attempt_on"]
    list_filter = ["status", "kind"]
    search_fields = ["to_address"]
    readonly_fields = [f.name for f in Outbox._meta.fields]
