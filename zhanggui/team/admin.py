from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Duty, Role, Staff


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    ordering = ("number",)
    list_display = ("number", "name", "is_active", "all_shops")
    search_fields = ("number", "name")
    fieldsets = (
        (None, {"fields": ("number", "password", "name", "phone")}),
        ("Scope", {"fields": ("is_active", "is_staff", "is_superuser", "all_shops", "shops", "groups")}),
    )
    add_fieldsets = ((None, {"fields": ("number", "name", "password1", "password2")}),)
    filter_horizontal = ("groups", "shops", "user_permissions")


admin.site.register(Role)
admin.site.register(Duty)
