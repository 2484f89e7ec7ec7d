from django.contrib import admin

from .models import Carrier, Package, PrintBatch, WaybillAccount


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "waybill_service", "active")


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ("package_no", "shop", "state", "carrier", "waybill_no", "ordered_at")
    list_filter = ("state", "shop")
    search_fields = ("package_no", "waybill_no")
    raw_id_fields = ("order",)


@admin.register(WaybillAccount)
class WaybillAccountAdmin(admin.ModelAdmin):
    list_display = ("name", "carrier", "shop", "provider", "active")


@admin.register(PrintBatch)
class PrintBatchAdmin(admin.ModelAdmin):
    list_display = ("batch_no", "shop", "package_count", "created_at")
