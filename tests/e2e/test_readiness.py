def test_readyz_reports_whmcs_but_stays_ready_when_only_whmcs_is_down(world):
    with world.app.test_client() as client:
        ok = client.get("/readyz")
        assert ok.status_code == 200 and ok.get_json()["checks"]["whmcs"] == {"ok": True, "detail": "reachable"}
    world.app.extensions["bridge_whmcs_probe"].ttl = 0
    world.emulator.fail("GetClients", "http500", times=20)
    with world.app.test_client() as client:
        down = client.get("/readyz")
    assert down.status_code == 200
    assert down.get_json()["checks"] == {"database": "ok", "whmcs": {"ok": False, "detail": "unreachable"}}
