"""The customer privacy page in headless Chromium (contract section 11): the module's real answer
from a real bridge, its template rendered by Smarty, inside a WHMCS-like client area. Layout facts
are measured by the browser itself (every section shown, stacked, inside the page, nothing
overflowing), and nothing of the other customer reaches the page or the saved download."""

from __future__ import annotations

import json

import pytest

from tests.browser.dom import Dom
from tests.browser.png import decode
from tests.browser.privacy_scenes import SECTIONS, scene_files
from tests.php.conftest import php, smarty  # noqa: F401 - the php-cli and Smarty fixtures
from tests.php.privacy_live import STAFF_ONLY, WRONG_PASSWORD, live_install, tell_story

pytestmark = [pytest.mark.browser, pytest.mark.php]
WIDTHS = (1200, 800, 520)  # desktop, a narrow main column, and one column (as narrow as headless Chromium goes)


@pytest.fixture
def live(smarty, tmp_path, db_url):  # noqa: F811
    with live_install(smarty, tmp_path / "whmcs", db_url) as running:
        tell_story(running)
        yield running


@pytest.fixture
def scenes(live, tmp_path):
    (tmp_path / "pages").mkdir()
    return scene_files(live, tmp_path / "pages", measure=True)


def measured(chromium, page, width: int) -> tuple[Dom, dict]:  # noqa: ANN001
    dom = Dom(chromium.dump_dom(page, size=(width, 900)))
    return dom, json.loads(dom.body_attrs["data-layout"])


def assert_laid_out(facts: dict, width: int) -> None:
    sections = facts["sections"]
    assert [s["title"] for s in sections] == list(SECTIONS)
    assert all(s["visible"] and s["height"] > 40 for s in sections), sections
    assert all(0 <= s["left"] and s["right"] <= width for s in sections), sections
    for above, below in zip(sections, sections[1:], strict=False):
        assert below["top"] >= above["top"] + above["height"], (above, below)  # stacked, never overlapping
    assert not facts["page_overflows"] and facts["overflow"] == [], facts["overflow"]
    assert facts["export_form"] == {"field": True, "button": True, "token": True}


@pytest.mark.parametrize("width", WIDTHS)
def test_the_history_view_shows_every_section_and_only_the_customers_own(chromium, live, scenes, width):
    """What is kept, the ID check, the change history (her own Internet address on her own
    changes), the marketing link and the export form, laid out inside the page; nothing of the
    other customer and no staff matter in what the browser shows."""
    dom, facts = measured(chromium, scenes["history"], width)

    assert_laid_out(facts, width)
    assert facts["history_rows"] == 4 and facts["notice"] is None
    text = dom.text
    assert "twelve months after the account is cancelled" in text and "Verified" in text
    assert "you" in text and live.grace.ip in text and "our staff" in text and "automatic" in text
    assert [v for v in (*live.zeb.values(), *STAFF_ONLY) if v.lower() in text.lower()] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_wrong_password_shows_the_notice_above_the_unchanged_page(chromium, live, scenes, width):
    """The refusal is a plain notice above the page, which stays as it was."""
    dom, facts = measured(chromium, scenes["wrong-password"], width)

    assert_laid_out(facts, width)
    assert facts["notice"]["text"] == WRONG_PASSWORD
    assert facts["notice"]["bottom"] <= facts["sections"][0]["top"]
    assert [v for v in live.zeb.values() if v.lower() in dom.text.lower()] == []


def test_the_saved_download_is_the_customers_own_data(chromium, live, scenes):
    """The file "Download my data" saves, opened in the browser: her data, none of his."""
    text = Dom(chromium.dump_dom(scenes["download"])).text
    assert f'"client_id": {live.grace.client_id}' in text and live.grace.email in text
    assert [v for v in (*live.zeb.values(), *STAFF_ONLY) if v.lower() in text.lower()] == []


def test_the_screenshot_paints_the_page(chromium, live, tmp_path):
    """What docs/privacy-page/ shows: a real rendering, with the page's own styles painted."""
    page = scene_files(live, tmp_path)["history"]
    chromium.screenshot(page, tmp_path / "shot.png", size=(1200, 1500))

    image = decode((tmp_path / "shot.png").read_bytes())
    assert (image.width, image.height) == (1200, 1500)
    colours = image.colours()
    assert len(colours) > 50 and max(colours.values()) < 0.9 * image.width * image.height
    assert colours.get((40, 167, 69), 0) > 100, "the Verified badge is not painted"
    assert colours.get((0, 123, 255), 0) > 500, "the Download my data button is not painted"
