"""The staff console pages and the dashboard widget inside a WHMCS-like admin page, rendered by
headless Chromium: their visible text, and hostile values staying text (contract section 11)."""

from __future__ import annotations

import pytest

from tests.browser.console_scenes import SCENES, new_console, page_file, story
from tests.browser.dom import Dom
from tests.php.conftest import php  # noqa: F401 - the php-cli fixture
from tests.php.console.console import running_bridge

pytestmark = [pytest.mark.browser, pytest.mark.php]
PAYLOAD = ("<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
           "<script>document.body.setAttribute('data-pwned','script')</script>")
# an admin username as hostile as the bridge accepts one (64 characters at most, no "/")
ADMIN = '<img src=x onerror="document.body.dataset.pwned=1">'


@pytest.fixture
def bridge(tmp_path):
    with running_bridge(tmp_path / "bridge") as running:
        yield running


def test_each_console_page_and_the_widget_render(chromium, php, bridge, tmp_path):  # noqa: F811
    """Every console page and the widget show their content as text in a real browser."""
    console = new_console(php, tmp_path / "whmcs", bridge)
    story(bridge, console)
    for name, (_, phrases) in SCENES.items():
        text = Dom(chromium.dump_dom(page_file(tmp_path, name, console))).text
        for phrase in phrases:
            assert phrase in text, (name, phrase)
    widget = Dom(chromium.dump_dom(page_file(tmp_path, "widget", console))).text
    assert "Pending ID checks: 1" in widget and "Dead outbox rows: 1" in widget


def test_hostile_admin_names_and_hold_references_stay_text(chromium, php, bridge, tmp_path):  # noqa: F811
    """Every value is escaped: an admin username and a hold reference carrying markup are shown
    as text and never run."""
    console = new_console(php, tmp_path / "whmcs", bridge)
    story(bridge, console, reference=PAYLOAD[:190])
    console.seed("tbladmins", id=5, username=ADMIN, roleid=1)
    console.session = {"adminid": 5}
    dom = Dom(chromium.dump_dom(page_file(tmp_path, "retention", console)))
    assert "data-pwned" not in dom.body_attrs
    assert "img" not in dom.tags and "script" not in dom.tags
    assert "Acting as <img src=x onerror=" in dom.text and "<img src=x onerror=" in dom.text.split("held", 1)[1]
