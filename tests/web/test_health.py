from sqlalchemy import text


class TestHealth:
    def test_healthz_is_always_ok(self, client):
        assert client.get("/healthz").get_json() == {"status": "ok"}

    def test_readyz_reports_the_database(self, client):
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.get_json()["checks"]["database"] == "ok"

    def test_readyz_is_503_when_not_migrated(self, client, engine):
        with engine.begin() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        try:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.get_json()["checks"]["database"] == "not migrated"
        finally:  # the PostgreSQL database is shared by the whole run
            with engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})

    def test_metrics_are_prometheus_text(self, client):
        response = client.get("/metrics")
        assert response.status_code == 200 and response.mimetype == "text/plain"
        assert b"bridge_hook_events" in response.data


def test_metrics_count_the_whole_installation_from_the_database(client, signer, app):
    from tests.support.fixtures import hook

    for name in ("ClientAdd", "ClientEdit"):
        body, headers = signer.request(hook(name, actor={"type": "admin", "id": 1}))
        client.post("/v1/hooks/whmcs", data=body, headers=headers)
    body, headers = signer.request(hook("ClientDetailsValidation"))
    client.post("/v1/hooks/whmcs/validate", data=body, headers=headers)
    bad = client.post("/v1/hooks/whmcs", data=b"{}", headers={"webhook-id": "x", "webhook-timestamp": "1",
                                                                "webhook-signature": "v1,AAAA"})
    assert bad.status_code == 401
    text = client.get("/metrics").get_data(as_text=True)
    assert 'bridge_ledger_entries_total{event_type="client.created"} 1.0' in text
    assert "bridge_ledger_head_seq" in text and 'bridge_jobs{kind="revert",status="pending"}' in text
    assert 'bridge_hook_events_total{event="ClientAdd",outcome="recorded"} 1.0' in text
    assert 'bridge_signature_failures_total{reason="stale"} 1.0' in text
    assert 'bridge_validate_seconds_count{event="ClientDetailsValidation"} 1.0' in text
