"""The customer privacy page for the browser test and docs/privacy-page/*.png: the module's
_clientarea answer under php-cli against a real bridge, its template rendered by Smarty, inside a
WHMCS-like client area page (the Bootstrap 4 look of the twenty-one theme). Self-contained CSS.

With `measure`, the page also carries a script that writes layout facts into `data-layout` on
<body> (read back from Chromium's --dump-dom); the screenshots are taken without it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.browser.shell import CLIENT_CSS, _client_area
from tests.php.privacy_live import Live, download, open_page, render

PRIVACY_CSS = CLIENT_CSS + """
.privacy-bridge-notice{margin-bottom:16px}.form-group{margin-bottom:1rem}.form-group label{display:block;
margin-bottom:.5rem}.form-control{display:block;width:100%;height:38px;padding:.375rem .75rem;font-size:1rem;
border:1px solid #ced4da;border-radius:.25rem}.btn{display:inline-block;padding:.375rem .75rem;font-size:1rem;
border:1px solid transparent;border-radius:.25rem}.btn-primary{color:#fff;background:#007bff;border-color:#007bff}
.table-sm th,.table-sm td{padding:.3rem}.table thead th{border-bottom:2px solid #dee2e6}
@media (max-width:767px){.col-sm-4,.col-sm-8{width:100%}.content{padding:0 15px 15px}}
"""
SECTIONS = ("What we keep about you", "Your ID check", "Changes to your details", "Marketing email",
            "Download my data")
# The facts the browser test checks, measured by the browser itself after layout.
MEASURE = """<script>
(function () {
  var width = document.documentElement.clientWidth, out = {width: width, sections: [], overflow: []};
  out.page_overflows = document.documentElement.scrollWidth > width;
  document.querySelectorAll('.privacy-bridge .card').forEach(function (card) {
    var r = card.getBoundingClientRect(), title = card.querySelector('.card-title');
    out.sections.push({title: title ? title.textContent : '', top: r.top, left: r.left, right: r.right,
      height: r.height, visible: r.width > 0 && r.height > 0 && getComputedStyle(card).visibility === 'visible'});
    card.querySelectorAll('*').forEach(function (el) {
      var e = el.getBoundingClientRect();
      if (e.width && (e.left < r.left - 0.5 || e.right > r.right + 0.5)) { out.overflow.push(el.tagName); }
    });
  });
  var notice = document.querySelector('.privacy-bridge-notice');
  out.notice = notice ? {bottom: notice.getBoundingClientRect().bottom, text: notice.textContent.trim()} : null;
  var field = document.querySelector('.privacy-bridge-export input[type=password]');
  var button = document.querySelector('.privacy-bridge-export button[type=submit]');
  out.export_form = {field: !!field && field.getBoundingClientRect().width > 100,
    button: !!button && button.getBoundingClientRect().height > 0,
    token: !!document.querySelector('.privacy-bridge-export input[name=token]')};
  out.history_rows = document.querySelectorAll('.privacy-bridge tbody tr').length;
  document.body.setAttribute('data-layout', JSON.stringify(out));
})();
</script>"""


def client_privacy_page(output: str, *, measure: bool = False) -> str:
    """What WHMCS shows for index.php?m=privacy_bridge: the module's template output under its
    page title and breadcrumb ("Privacy"), in the client area's layout."""
    page = _client_area("Privacy - Example Hosting", "Privacy", f"<h3>Privacy</h3>\n{output}")
    page = page.replace(CLIENT_CSS, PRIVACY_CSS, 1)
    return page.replace("</body>", MEASURE + "\n</body>") if measure else page


def scene_files(live: Live, workdir: Path, *, measure: bool = False) -> dict[str, Path]:
    """history (Grace's page), wrong-password (after a refused "Download my data") and download
    (the file her browser saves after the right password, as Chromium shows it)."""
    grace, php = live.grace, live.whmcs.php
    pages = {"history": open_page(live, grace).result,
             "wrong-password": download(live, grace, "not my password").result}
    files = {}
    for name, page in pages.items():
        files[name] = workdir / f"{name}.html"
        files[name].write_text(client_privacy_page(render(page, workdir, php), measure=measure), encoding="utf-8")
    saved = download(live, grace, grace.password).result["download"]
    files["download"] = workdir / saved["filename"]
    files["download"].write_text(json.dumps(json.loads(saved["body"]), indent=2), encoding="utf-8")
    return files
