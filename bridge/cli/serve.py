"""`bridge serve`: the app under gunicorn (sync workers)."""

from __future__ import annotations

import gc
import subprocess
import sys

import click

from bridge.cli.base import exits, state
from bridge.db import migrate
from bridge.db.base import is_sqlite, make_engine


def prepare_database(database_url: str) -> None:
    """Migrate an empty SQLite database on start; PostgreSQL is migrated by `bridge db upgrade`."""
    engine = make_engine(database_url)
    try:
        if is_sqlite(engine) and migrate.current_revision(engine) is None:
            migrate.upgrade(engine)
    finally:
        engine.dispose()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-worker", is_flag=True, help="Do not start the job worker beside the web workers.")
@exits
def serve(host: str, port: int, workers: int, no_worker: bool) -> None:
    """Serve the bridge under gunicorn."""
    from gunicorn.app.base import BaseApplication

    from bridge.logs import configure
    from bridge.web.app import create_app

    settings = state().settings()
    settings.require("webhook_secret", "master_key")
    prepare_database(settings.database_url)
    configure("json" if settings.log_format == "auto" else settings.log_format)

    job_worker: list[subprocess.Popen] = []

    def start_job_worker(_arbiter) -> None:  # noqa: ANN001
        if not no_worker:
            args = [sys.executable, "-m", "bridge.cli"]
            if state().config_path:
                args += ["--config", state().config_path]
            job_worker.append(subprocess.Popen([*args, "worker"]))  # noqa: S603 - our own entry point

    def stop_job_worker(_arbiter) -> None:  # noqa: ANN001
        for process in job_worker:
            process.terminate()
            process.wait(timeout=30)

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("control_socket_disable", True)  # several instances may share a host
            self.cfg.set("when_ready", start_job_worker)
            self.cfg.set("on_exit", stop_job_worker)

        def load(self):  # noqa: ANN202
            app = create_app(settings)
            gc.freeze()  # the app lives as long as the worker: keep it out of the collector's scans
            return app

    _Gunicorn().run()
