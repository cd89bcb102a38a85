"""Durable jobs: every call the bridge makes to WHMCS runs from here, never inside a webhook
request or a database transaction."""
