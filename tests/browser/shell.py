"""Small static WHMCS-like pages around a panel fragment: an admin client summary (Bootstrap 3 look,
like the admin themes) and client-area pages (Bootstrap 4 look, like twenty-one). Self-contained:
the CSS is written here, nothing is loaded from anywhere."""

from __future__ import annotations

BASE_CSS = """
*{box-sizing:border-box}body{margin:0;font:14px/1.42857 "Helvetica Neue",Helvetica,Arial,sans-serif;color:#333}
h3,h4{margin:0 0 8px;font-weight:500;line-height:1.1}h3{font-size:18px}h4{font-size:15px;margin-top:14px}
p{margin:0 0 10px}hr{border:0;border-top:1px solid rgba(0,0,0,.1);margin:12px 0}code{padding:2px 4px;font-size:90%;
color:#c7254e;background:#f9f2f4;border-radius:4px}.row{display:flex;flex-wrap:wrap;margin:0 -15px}
.col-sm-6{width:50%;padding:0 15px}.col-sm-4{width:33.33%;padding:0 15px}.col-sm-8{width:66.66%;padding:0 15px}
.small{font-size:85%}.text-muted{color:#777}.list-unstyled{list-style:none;padding-left:0}
.alert{padding:12px 15px;margin-bottom:15px;border:1px solid transparent;border-radius:4px}
.table{width:100%;border-collapse:collapse;margin-bottom:10px}.table th,.table td{text-align:left;
padding:5px;border-top:1px solid #ddd;vertical-align:top}.mb-0{margin-bottom:0}.m-0{margin:0}.mt-3{margin-top:1rem}
.h6{font-size:14px;font-weight:600}
"""
ADMIN_CSS = BASE_CSS + """
.topbar{background:#1a4d80;color:#fff;padding:10px 20px;font-size:16px}.tabs{display:flex;gap:4px;
padding:12px 20px 0;border-bottom:1px solid #ddd}.tabs span{padding:8px 14px;border:1px solid #ddd;
border-bottom:0;border-radius:4px 4px 0 0;background:#eee}.tabs .active{background:#fff}.content{padding:16px 20px}
.summarybox{border:1px solid #ccc;border-radius:4px;margin-bottom:16px}.summarybox .title{background:#e8e8e8;
padding:6px 10px;font-weight:bold}.summarybox div.line{padding:5px 10px;border-top:1px solid #eee;color:#555}
.panel{margin-bottom:20px;background:#fff;border:1px solid #ddd;border-radius:4px}
.panel-default>.panel-heading{background:#f5f5f5;border-bottom:1px solid #ddd;padding:10px 15px}
.panel-title{margin:0;font-size:16px}.panel-body{padding:15px}
.label{display:inline;padding:.2em .6em .3em;font-size:75%;font-weight:700;color:#fff;border-radius:.25em}
.label-default{background:#777}.label-success{background:#5cb85c}.label-warning{background:#f0ad4e}
.label-danger{background:#d9534f}.label-info{background:#5bc0de}
.alert-warning{color:#8a6d3b;background:#fcf8e3;border-color:#faebcc}
"""
CLIENT_CSS = BASE_CSS + """
body{background:#f6f6f6;color:#212529}header{background:#fff;padding:14px 24px;border-bottom:1px solid #ddd;
font-size:20px;font-weight:600}nav{background:#0e5077;color:#fff;padding:10px 24px}nav span{margin-right:22px}
.crumbs{padding:10px 24px;color:#6c757d}.content{padding:0 24px 24px}.sidebar .item{padding:8px 12px;
border-top:1px solid #eee;color:#495057}.tiles{display:flex;gap:12px;margin-bottom:16px}.tiles div{flex:1;
background:#fff;border:1px solid #ddd;border-radius:4px;padding:14px;text-align:center;color:#6c757d}
.card{background:#fff;border:1px solid rgba(0,0,0,.125);border-radius:.25rem;margin-bottom:16px}
.card-header{padding:.75rem 1.25rem;background:rgba(0,0,0,.03);border-bottom:1px solid rgba(0,0,0,.125)}
.card-title{font-size:17px}.card-body{padding:1.25rem}.card-text:last-child{margin-bottom:0}
.badge{display:inline-block;padding:.25em .4em;font-size:75%;font-weight:700;border-radius:.25rem}
.badge-success{color:#fff;background:#28a745}.badge-warning{color:#212529;background:#ffc107}
.badge-secondary{color:#fff;background:#6c757d}.alert-heading{margin-top:0}
.alert-info{color:#0c5460;background:#d1ecf1;border-color:#bee5eb}
.alert-warning{color:#856404;background:#fff3cd;border-color:#ffeeba}
.form label{display:block;margin:10px 0 4px;color:#495057}.form .input{background:#fff;border:1px solid #ced4da;
border-radius:.25rem;height:34px}
"""


def _page(title: str, css: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{css}</style></head>\n<body>\n{body}\n</body></html>\n")


def _box(title: str, lines: tuple[str, ...]) -> str:
    rows = "".join(f'<div class="line">{line}</div>' for line in lines)
    return f'<div class="summarybox"><div class="title">{title}</div>{rows}</div>'


def admin_summary_page(fragment: str) -> str:
    """WHMCS prints the AdminAreaClientSummaryPage output above the summary boxes."""
    tabs = "".join(f'<span class="{"active" if n == "Summary" else ""}">{n}</span>'
                   for n in ("Summary", "Profile", "Contacts", "Products/Services", "Invoices", "Notes"))
    boxes = (_box("Clients Information", ("Status: Closed", "Client group: None")),
             _box("Invoices/Billing", ("Paid: 12", "Unpaid/Due: 0")), _box("Other Actions", ("Close Client",)))
    columns = "".join(f'<div class="col-sm-4">{box}</div>' for box in boxes)
    return _page("Client Profile - WHMCS", ADMIN_CSS, f"""
<div class="topbar">WHMCS Admin &middot; Clients &rsaquo; Client Profile</div>
<div class="tabs">{tabs}</div>
<div class="content">
{fragment}
<div class="row">{columns}</div>
</div>""")


def _client_area(title: str, crumb: str, main: str) -> str:
    nav = "".join(f"<span>{n}</span>" for n in ("Home", "Services", "Domains", "Billing", "Support"))
    shortcuts = "".join(f'<div class="item">{n}</div>' for n in ("Order New Services", "Register a New Domain",
                                                                "Logout"))
    sidebar = f'<div class="card sidebar"><div class="card-header"><h3 class="card-title m-0">Shortcuts</h3></div>' \
              f"{shortcuts}</div>"
    return _page(title, CLIENT_CSS, f"""
<header>Example Hosting</header><nav>{nav}</nav><div class="crumbs">Portal Home / {crumb}</div>
<div class="content"><div class="row">
<div class="col-sm-4">{sidebar}</div>
<div class="col-sm-8">
{main}
</div>
</div></div>""")


def client_home_page(fragment: str) -> str:
    """ClientAreaHomepage output sits among the home page's panels."""
    tiles = "".join(f"<div>{n}</div>" for n in ("2 Services", "1 Domain", "0 Tickets", "0 Invoices"))
    return _client_area("Client Area - Example Hosting", "Client Area",
                        f'<h3>Welcome back</h3><div class="tiles">{tiles}</div>\n{fragment}')


def client_details_page(fragment: str) -> str:
    """The hook sends ClientAreaHeaderOutput only here; it lands above the details form."""
    fields = "".join(f'<label>{n}</label><div class="input"></div>'
                     for n in ("First Name", "Email Address", "Address", "Phone Number"))
    form = f'<div class="card"><div class="card-body form">{fields}</div></div>'
    return _client_area("Account Details - Example Hosting", "Account Details",
                        f"{fragment}\n<h3>Account Details</h3>{form}")


PAGES = {"AdminAreaClientSummaryPage": admin_summary_page, "ClientAreaHomepage": client_home_page,
         "ClientAreaHeaderOutput": client_details_page}
