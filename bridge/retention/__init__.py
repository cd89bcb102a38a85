"""Retention: purge a customer's personal data a fixed number of months after closure, unless
held. `planner` is pure (dates, due/held/reactivated); `service` records schedules and holds;
`runner` carries out a run, resumable per customer. No Flask, SQLAlchemy or requests in here."""
