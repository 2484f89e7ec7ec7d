from django.contrib import admin

from .models import OpeningChecklist, OpeningStep, Platform, Shop, ShopSettingValue


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "position")


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "platform", "shop_type", "is_active")
    list_filter = ("platform", "is_active")
    search_fields = ("code", "name")


admin.site.register(ShopSettingValue)


class OpeningStepInline(admin.TabularInline):
    model = OpeningStep
    extra = 0


@admin.register(OpeningChecklist)
class OpeningChecklistAdmin(admin.ModelAdmin):
    inlines = [OpeningStepInline]
