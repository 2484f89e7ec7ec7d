from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("buyer_nick", "shop", "province", "city")
    list_filter = ("shop",)
    search_fields = ("buyer_nick",)
