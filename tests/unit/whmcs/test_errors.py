"""The error hierarchy: classes by WHMCS message, operator hints, and texts safe to log."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.whmcs.api import (
    WhmcsAuthError,
    WhmcsError,
    WhmcsIpRefused,
    WhmcsNotFound,
    WhmcsPermissionDenied,
    WhmcsRejected,
    WhmcsUnavailable,
)
from bridge.whmcs.errors import classify_rejection


class TestClassification:
    @pytest.mark.parametrize(("message", "kind"), [
        ("Authentication Failed", WhmcsAuthError),
        ("Invalid or missing credentials", WhmcsAuthError),
        ("Invalid Access Key", WhmcsAuthError),
        ("Invalid IP 2001:db8::1", WhmcsIpRefused),
        ("IP Banned", WhmcsIpRefused),
        ('Invalid Permissions: API action "updateclient" is not allowed', WhmcsPermissionDenied),
        ("Access Denied", WhmcsPermissionDenied),
        ("Client ID Not Found", WhmcsNotFound),
        ("Client Not Found", WhmcsNotFound),
        ("Client ID not found", WhmcsNotFound),
        ("Contact ID Not Found", WhmcsNotFound),
        ("Invalid User ID requested", WhmcsNotFound),
        ("Pay Method does not belong to passed Client ID", WhmcsNotFound),
        ("Email Template not found", WhmcsRejected),
        ("You cannot remove the account owner", WhmcsRejected),
        ("", WhmcsRejected),
    ])
    def test_picks_the_most_specific_class(self, message, kind):
        error = classify_rejection("UpdateClient", message)
        assert type(error) is kind
        assert error.whmcs_message == message and error.action == "UpdateClient"

    def test_the_hierarchy_separates_retryable_from_final(self):
        assert issubclass(WhmcsUnavailable, WhmcsError) and issubclass(WhmcsError, BridgeError)
        for kind in (WhmcsAuthError, WhmcsIpRefused, WhmcsPermissionDenied, WhmcsNotFound):
            assert issubclass(kind, WhmcsRejected)
        assert WhmcsUnavailable("GetClients", "timed out").retryable is True
        assert classify_rejection("GetClients", "x").retryable is False


class TestMessages:
    def test_ip_refusal_points_at_the_allow_list_and_the_access_key(self):
        text = str(classify_rejection("GetClients", "Invalid IP 203.0.113.9"))
        assert "IP" in text and "BRIDGE_WHMCS_ACCESSKEY" in text

    def test_permission_denied_names_the_action_to_add_to_the_role(self):
        error = classify_rejection(
            "DeletePayMethod", 'Invalid Permissions: API action "deletepaymethod" is not allowed')
        assert "add the action DeletePayMethod to the API role" in str(error)

    def test_an_email_in_a_whmcs_message_is_redacted_from_the_text(self):
        error = classify_rejection("UpdateClient", "Duplicate: someone@example.com")
        assert "someone@example.com" not in str(error)
        assert error.whmcs_message == "Duplicate: someone@example.com"
