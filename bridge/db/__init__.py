"""SQLAlchemy adapters: models, migrations and the stores that domain code sees as Protocols."""
