"""WSGI entry point: `gunicorn wsgi:app`. Settings come from config/bridge.toml and BRIDGE_* env."""

from bridge.logs import configure
from bridge.settings import load_settings
from bridge.web.app import create_app

_settings = load_settings()
configure("json" if _settings.log_format == "auto" else _settings.log_format)
app = create_app(_settings)
