from django.contrib import admin

from .models import Contact, Membership, Organisation, RoleTitle


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "path"]
    search_fields = ["name"]
    list_filter = ["kind"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["organisation"]


admin.site.register(RoleTitle)
admin.site.register(Contact)
