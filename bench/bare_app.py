"""The HTTP baseline: a bare Flask app whose POST reads the body and answers 202 JSON.

Served exactly like the bridge (gunicorn, sync workers, same count), it measures what gunicorn,
Flask and the loopback cost before the bridge does any work of its own.

`POST /floor/durable` is the same endpoint plus the one thing an ingest request cannot skip: the
body stored in one durable SQLite transaction (WAL, `synchronous=FULL`, `BEGIN IMMEDIATE`, writers
queued on an flock as the bridge queues them) before the answer. Served with `BENCH_FLOOR_DB` set,
it shows how close to bare Flask any durable ingest can come on this machine; with
`BENCH_FLOOR_PG` (a PostgreSQL URL) `POST /floor/durable-pg` does the same on PostgreSQL.

`POST /floor/validate` is the least the validate hook must do before it answers: check the
signature (with `BRIDGE_WEBHOOK_SECRET`), parse the JSON and load the envelope through the bridge's
schemas (the contract wants every input validated), then answer `allowed`.
"""

import base64
import fcntl
import os
import sqlite3
import time

from flask import Flask, jsonify, request

app = Flask("bare")
_sqlite: dict[int, sqlite3.Connection] = {}  # one connection per worker process and backend
_postgres: dict[int, object] = {}


@app.post("/v1/hooks/whmcs")
def accept():
    request.get_data()
    return jsonify({"status": "recorded", "entries": [1]}), 202


def _connection(path: str) -> sqlite3.Connection:
    connection = _sqlite.get(os.getpid())
    if connection is None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
        _sqlite[os.getpid()] = connection
    return connection


@app.post("/floor/durable")
def durable():
    body = request.get_data()
    path = os.environ["BENCH_FLOOR_DB"]
    lock = os.open(path + ".writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # set up under the lock too: two workers switching a new file to WAL at once can fail
        # with "database is locked" at once, without waiting for the busy timeout
        connection = _connection(path)
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute("INSERT INTO floor (body) VALUES (?)", (body,))
        connection.execute("COMMIT")
    finally:
        os.close(lock)
    return jsonify({"status": "recorded", "entries": [cursor.lastrowid]}), 202


@app.post("/floor/durable-pg")
def durable_pg():
    import psycopg

    body = request.get_data()
    connection = _postgres.get(os.getpid())
    if connection is None:
        url = os.environ["BENCH_FLOOR_PG"].replace("postgresql+psycopg://", "postgresql://")
        connection = _postgres[os.getpid()] = psycopg.connect(url)
        with connection.transaction():  # workers start together: CREATE IF NOT EXISTS races without the lock
            connection.execute("SELECT pg_advisory_xact_lock(4242)")
            connection.execute("CREATE TABLE IF NOT EXISTS floor (id BIGSERIAL PRIMARY KEY, body BYTEA NOT NULL)")
    with connection.transaction():
        row = connection.execute("INSERT INTO floor (body) VALUES (%s) RETURNING id", (body,)).fetchone()
    return jsonify({"status": "recorded", "entries": [row[0]]}), 202


@app.post("/floor/validate")
def validate_floor():
    from bridge.schemas.hooks import load_envelope
    from bridge.signing import verify
    from bridge.web.hooks import parse_json

    body = request.get_data()
    secret = base64.b64decode(os.environ["BRIDGE_WEBHOOK_SECRET"].removeprefix("whsec_"))
    verify(secrets=[secret], headers=request.headers, body=body, now=int(time.time()), tolerance_s=300)
    load_envelope(parse_json(body), kind="validate")
    return jsonify({"allowed": True, "errors": []})
