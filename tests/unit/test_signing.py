import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from bridge.signing import SignatureInvalid, sign, signed_headers, verify

SECRET = b"0123456789abcdef0123456789abcdef"
WHSEC = "whsec_" + base64.b64encode(SECRET).decode()
NOW = 1_790_000_000
BODY = b'{"event":"ClientEdit"}'


def _verify(headers, body=BODY, secrets=(SECRET,), now=NOW, tolerance_s=300):
    return verify(secrets=list(secrets), headers=headers, body=body, now=now, tolerance_s=tolerance_s)


class TestVerify:
    def test_accepts_a_valid_signature_and_returns_the_id(self):
        headers = signed_headers(SECRET, msg_id="msg_1", timestamp=NOW, body=BODY)
        assert _verify(headers) == "msg_1"

    def test_accepts_whatever_the_official_library_signs(self):
        official = Webhook(WHSEC)
        stamp = datetime.fromtimestamp(NOW, UTC)
        signature = official.sign("msg_official", stamp, BODY.decode())
        headers = {"webhook-id": "msg_official", "webhook-timestamp": str(NOW), "webhook-signature": signature}
        assert _verify(headers) == "msg_official"

    def test_the_official_library_accepts_what_we_sign(self):
        import time

        now = int(time.time())
        headers = signed_headers(SECRET, msg_id="msg_ours", timestamp=now, body=BODY)
        assert Webhook(WHSEC).verify(BODY, headers) == {"event": "ClientEdit"}

    def test_any_of_several_offered_signatures_may_match(self):
        good = sign(SECRET, msg_id="m", timestamp=NOW, body=BODY)
        headers = {"webhook-id": "m", "webhook-timestamp": str(NOW),
                   "webhook-signature": f"v1,{base64.b64encode(b'x' * 32).decode()} {good}"}
        assert _verify(headers) == "m"

    def test_any_of_several_secrets_may_verify_during_rotation(self):
        headers = signed_headers(SECRET, msg_id="m", timestamp=NOW, body=BODY)
        assert _verify(headers, secrets=(b"n" * 32, SECRET)) == "m"

    @pytest.mark.parametrize(
        ("mutate", "reason"),
        [
            (lambda h: h.pop("webhook-id"), "missing-header"),
            (lambda h: h.pop("webhook-timestamp"), "missing-header"),
            (lambda h: h.pop("webhook-signature"), "missing-header"),
            (lambda h: h.update({"webhook-timestamp": "12ab"}), "bad-timestamp"),
            (lambda h: h.update({"webhook-timestamp": "-5"}), "bad-timestamp"),
            (lambda h: h.update({"webhook-timestamp": "9" * 40}), "bad-timestamp"),
            (lambda h: h.update({"webhook-timestamp": str(NOW - 301)}), "stale"),
            (lambda h: h.update({"webhook-timestamp": str(NOW + 301)}), "future"),
            (lambda h: h.update({"webhook-signature": "v1,not base64!!"}), "malformed-signature"),
            (lambda h: h.update({"webhook-signature": "v2,abcd"}), "malformed-signature"),
            (lambda h: h.update({"webhook-signature": "v1," + "A" * 5000}), "malformed-signature"),
            (lambda h: h.update({"webhook-signature": "v1," + base64.b64encode(b"y" * 32).decode()}), "no-match"),
            (lambda h: h.update({"webhook-id": "x" * 300}), "bad-id"),
            (lambda h: h.update({"webhook-id": "bad\nid"}), "bad-id"),
        ],
    )
    def test_every_malformed_header_is_one_failure_type(self, mutate, reason):
        headers = signed_headers(SECRET, msg_id="m", timestamp=NOW, body=BODY)
        mutate(headers)
        with pytest.raises(SignatureInvalid) as caught:
            _verify(headers)
        assert caught.value.reason == reason

    def test_a_changed_body_fails(self):
        headers = signed_headers(SECRET, msg_id="m", timestamp=NOW, body=BODY)
        with pytest.raises(SignatureInvalid):
            _verify(headers, body=BODY + b" ")

    def test_a_signature_for_another_id_fails(self):
        headers = signed_headers(SECRET, msg_id="m", timestamp=NOW, body=BODY)
        headers["webhook-id"] = "other"
        with pytest.raises(SignatureInvalid):
            _verify(headers)

    def test_the_tolerance_is_configurable(self):
        headers = signed_headers(SECRET, msg_id="m", timestamp=NOW - 50, body=BODY)
        with pytest.raises(SignatureInvalid):
            _verify(headers, tolerance_s=10)
        assert _verify(headers, tolerance_s=60) == "m"
