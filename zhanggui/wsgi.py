import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhanggui.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (configured by get_wsgi_application)

from zhanggui.core.startup import require_secret_key  # noqa: E402

require_secret_key(settings)

# Without a broker the web process runs the scheduled work itself (core.scheduler): `make run` (runserver loads
# this module in the process that serves) and a broker-less gunicorn.
from zhanggui.core import scheduler  # noqa: E402

scheduler.start()
