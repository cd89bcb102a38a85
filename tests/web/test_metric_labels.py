"""Section 10, Metric labels stay bounded: whatever event names a sender invents, the `event` label of
`bridge_hook_events` and `bridge_validate_seconds` is one of the event names the bridge knows, or
`other`."""

import re

from tests.support.fixtures import hook

INVENTED = [f"Invented{n}Hook" for n in range(5)]


def _labels(text: str, metric: str) -> set[str]:
    return set(re.findall(rf'^{metric}\{{[^}}]*event="([^"]*)"', text, flags=re.MULTILINE))


def test_invented_event_names_share_the_label_other(client, signer):
    for name in INVENTED:
        body, headers = signer.request(hook("ClientEdit", event=name))
        assert client.post("/v1/hooks/whmcs", data=body, headers=headers).status_code == 202
        body, headers = signer.request(hook("ClientDetailsValidation", event=name))
        assert client.post("/v1/hooks/whmcs/validate", data=body, headers=headers).status_code == 200
    body, headers = signer.request(hook("ClientEdit"))
    assert client.post("/v1/hooks/whmcs", data=body, headers=headers).status_code == 202
    text = client.get("/metrics").get_data(as_text=True)
    assert _labels(text, "bridge_hook_events_total") == {"ClientEdit", "other"}
    assert 'bridge_hook_events_total{event="other",outcome="ignored"} 5.0' in text
    assert _labels(text, "bridge_validate_seconds_count") == {"other"}
    assert 'bridge_validate_seconds_count{event="other"} 5.0' in text
    assert not any(name in text for name in INVENTED)
