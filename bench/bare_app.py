"""The HTTP baseline: a bare Flask app whose POST reads the body and answers 202 JSON.

Served exactly like the bridge (gunicorn, sync workers, same count), it measures what gunicorn,
Flask and the loopback cost before the bridge does any work of its own.
"""

from flask import Flask, jsonify, request

app = Flask("bare")


@app.post("/v1/hooks/whmcs")
def accept():
    request.get_data()
    return jsonify({"status": "recorded", "entries": [1]}), 202
