"""The WHMCS hook names the bridge understands, by endpoint.

An event outside these sets is not an error: the caller answers "ignored" and moves on, because
WHMCS grows new hooks and an outbox must never loop on one it cannot place.
"""

from __future__ import annotations

HANDLED_EVENTS = frozenset(
    {
        "ClientAdd",
        "ClientEdit",
        "ClientClose",
        "PreDeleteClient",
        "ClientDelete",  # deprecated since WHMCS 8.0 in favour of PreDeleteClient; older installs
        "ClientChangePassword",
        "UserAdd",
        "UserEdit",
        "UserChangePassword",
        "UserLogin",
        "ContactAdd",
        "ContactEdit",
        "ContactDelete",
        "CCUpdate",
        "AfterClientMerge",
        "DailyCronJob",
    }
)

VALIDATE_EVENTS = frozenset({"ClientDetailsValidation", "ContactDetailsValidation", "EmailPreSend"})

PANEL_EVENTS = frozenset(
    {"AdminAreaClientSummaryPage", "ClientAreaHomepage", "ClientAreaHeaderOutput", "ClientAreaPrivacyPage"}
)

# The addon module's own calls (section 11): its report of a residual erasure (an outbox event,
# handled by the retention service that issued the order, not by a drafting handler), its cron's
# request for work, and the customer's own export.
MODULE_EVENTS = frozenset({"PrivacyBridgeErased", "AfterCronJob", "ClientAreaExport"})
