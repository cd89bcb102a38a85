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
