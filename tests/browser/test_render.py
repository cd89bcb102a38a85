"""Each panel inside a WHMCS-like page, rendered by headless Chromium: a real screenshot (decoded
here: right size, many colours, the fragment's own styles painted) and the DOM's visible text."""

from __future__ import annotations

import pytest

from bridge.ledger.entries import Actor, Change, EntryDraft, EventType, Subject
from tests.browser.dom import Dom
from tests.browser.png import decode
from tests.browser.shell import PAGES
from tests.browser.story import CLIENT, SCENES, render

pytestmark = pytest.mark.browser

PHRASES = {
    "admin-summary": ("Privacy bridge", "Hook outbox needs attention",
                      "1 event given up after repeated delivery failures", "Not verified",
                      "Hold: accounting irregularity, since 2026-11-24 20:16 UTC", "On hold",
                      "Change blocked (no ID check)", "Revert of an unverified change", "3 pending (oldest 21 min)"),
    "client-home": ("Your privacy", "ID check needed",
                    "Your recent change to your email address needs an ID check before it can take effect",
                    "twelve months after the account is cancelled"),
    "client-details": ("Changing your details",
                       "until 24 December 2026 you can change your contact and billing details without another check",
                       "from which Internet address"),
}
# A colour only the fragment's markup paints (the shells never use these classes themselves).
MARKERS = {
    "admin-summary": {"alert-warning": (252, 248, 227), "label-danger": (217, 83, 79)},
    "client-home": {"badge-warning": (255, 193, 7), "alert-warning": (255, 243, 205)},
    "client-details": {"alert-info": (209, 236, 241)},
}
PAYLOAD = ("<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
           "<script>document.body.setAttribute('data-pwned','script')</script>")


def page_for(tmp_path, event: str, fragment: str):  # noqa: ANN001, ANN201
    page = tmp_path / "page.html"
    page.write_text(PAGES[event](fragment), encoding="utf-8")
    return page


@pytest.mark.parametrize("name", SCENES)
def test_each_panel_renders_in_chromium(name, chromium, client, signer, services, clock, tmp_path):
    event, scene = SCENES[name]
    page = page_for(tmp_path, event, scene(client, signer, services, clock))
    chromium.screenshot(page, tmp_path / "shot.png")

    image = decode((tmp_path / "shot.png").read_bytes())
    assert (image.width, image.height) == (1200, 900)
    colours = image.colours()
    assert len(colours) > 50 and max(colours.values()) < 0.9 * image.width * image.height
    for css_class, rgb in MARKERS[name].items():
        assert colours.get(rgb, 0) > 200, f"{css_class} not painted"

    text = Dom(chromium.dump_dom(page)).text
    for phrase in PHRASES[name]:
        assert phrase in text
    assert "jane" not in text.lower() and "example.net" not in text and "INV-2231" not in text


def test_injected_markup_stays_text_in_the_browser(chromium, client, signer, services, clock, tmp_path):
    services.ledger.append([EntryDraft(
        event_type=EventType.CLIENT_UPDATED, occurred_at=clock.now(), subject=Subject.of("client", CLIENT),
        actor=Actor("staff", PAYLOAD[:120]), client_id=CLIENT, changes=(Change("email", "contact"),))])
    services.retention.retention_status = lambda _id: {"closed_at": None, "purge_due_at": None, "status": "held",
                                                       "holds": [{"hold_id": "h1", "reason": PAYLOAD}]}
    dom = Dom(chromium.dump_dom(page_for(tmp_path, "AdminAreaClientSummaryPage",
                                         render(client, signer, "AdminAreaClientSummaryPage"))))
    assert "data-pwned" not in dom.body_attrs
    assert "img" not in dom.tags and "script" not in dom.tags
    assert "Hold: <img src=x onerror=" in dom.text and "<script>document.body" in dom.text


def test_the_check_would_see_an_unescaped_payload_run(chromium, tmp_path):
    """The control: the same payload pasted raw does run, so the test above can fail."""
    dom = Dom(chromium.dump_dom(page_for(tmp_path, "AdminAreaClientSummaryPage", PAYLOAD)))
    assert dom.body_attrs.get("data-pwned") in ("img", "script")
