"""WSGI entry point: `gunicorn wsgi:app`. Settings come from config/bridge.toml and BRIDGE_* env."""

import gc

from bridge.logs import configure
from bridge.settings import load_settings
from bridge.web.app import create_app

_settings = load_settings()
configure("json" if _settings.log_format == "auto" else _settings.log_format)
app = create_app(_settings)
# Everything loaded so far lives as long as the worker: keep it out of the garbage collector's
# scans, which otherwise revisit the whole app (SQLAlchemy, marshmallow, Flask) again and again.
gc.freeze()
