from django.contrib import admin

from .models import ApiToken, Event, Job


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_number", "kind", "object_label", "from_state", "to_state")
    list_filter = ("kind",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    readonly_fields = ("digest",)


admin.site.register(Job)
