"""Fulfilment models, one module per part (each part has one owner): carriers and rates, packages, waybills and
printing, shipping and tracking."""

from .carriers import Carrier, CarrierArea, FreightRate
from .fees import CourierCharge
from .packages import Package, PackageLine, PackageOrder
from .shipping import Shipment, TrackingEvent
from .waybills import PrintBatch, WaybillAccount, WaybillNumber, WaybillPrint

__all__ = [
    "Carrier",
    "CarrierArea",
    "CourierCharge",
    "FreightRate",
    "Package",
    "PackageLine",
    "PackageOrder",
    "PrintBatch",
    "Shipment",
    "TrackingEvent",
    "WaybillAccount",
    "WaybillNumber",
    "WaybillPrint",
]
