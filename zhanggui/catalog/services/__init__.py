"""Every write to the catalog, split by sub-area: products (products, skus, combos, sku_grid), imports (imports,
import_batches, import_report, import_jobs, exports), listings (listings, listing_schedules, listing_stock,
listing_flags), titles, images, pricing, lifecycle. Reads for pages and the API: catalog/selectors.py."""
