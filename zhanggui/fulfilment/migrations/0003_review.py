# No operations: every fulfilment table is created in 0001_initial. Kept because applied databases record it
# and the next migration depends on it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("fulfilment", "0002_carriers")]
    operations = []
