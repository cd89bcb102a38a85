"""A WHMCS-like admin page around the staff console's output (Addons > Privacy Bridge) and around
the dashboard widget, in the Bootstrap 3 look of the admin themes. Self-contained CSS."""

from __future__ import annotations

from tests.browser.shell import ADMIN_CSS

CONSOLE_CSS = ADMIN_CSS + """
h2{font-size:22px;margin:10px 0}
.nav-tabs{display:flex;list-style:none;padding:0;margin:0 0 10px;border-bottom:1px solid #ddd}
.nav-tabs li a{display:block;padding:8px 12px;color:#337ab7;text-decoration:none;border:1px solid transparent}
.nav-tabs li.active a{color:#555;border:1px solid #ddd;border-bottom-color:#fff;background:#fff}
.btn{display:inline-block;padding:4px 10px;font-size:13px;border:1px solid #ccc;border-radius:3px;background:#fff}
.btn-primary{background:#337ab7;color:#fff;border-color:#2e6da4}.btn-danger{background:#d9534f;color:#fff}
.btn-warning{background:#f0ad4e;color:#fff}
.form-control{padding:3px 6px;border:1px solid #ccc;border-radius:3px;margin:2px}
form{margin:4px 0}.alert-success{color:#3c763d;background:#dff0d8;border-color:#d6e9c6}
.alert-danger{color:#a94442;background:#f2dede;border-color:#ebccd1}.alert-info{color:#31708f;background:#d9edf7}
.dash{display:flex;gap:16px}.dash .panel{width:360px}
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CONSOLE_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def addon_page(output: str) -> str:
    """WHMCS prints _output's HTML inside its addon module page."""
    return _page("Privacy Bridge - Addons - WHMCS", f"""
<div class="topbar">WHMCS Admin &middot; Addons &rsaquo; Privacy Bridge</div>
<div class="content">{output}</div>""")


def dashboard_page(widget: str) -> str:
    """The admin home: the widget inside its panel, among others."""
    other = '<div class="panel panel-default"><div class="panel-heading"><h3 class="panel-title">System Health</h3>' \
            '</div><div class="panel-body">Good</div></div>'
    mine = '<div class="panel panel-default"><div class="panel-heading"><h3 class="panel-title">Privacy bridge</h3>' \
           f'</div><div class="panel-body">{widget}</div></div>'
    return _page("Dashboard - WHMCS", f"""
<div class="topbar">WHMCS Admin &middot; Dashboard</div>
<div class="content"><div class="dash">{other}{mine}</div></div>""")
