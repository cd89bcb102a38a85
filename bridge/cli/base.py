"""What every command shares: lazy settings, the error-to-exit-code rule, progress output."""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field

import click
from sqlalchemy import Engine

from bridge.db.base import make_engine
from bridge.errors import BridgeError, ConfigError, StorageUnavailable, WhmcsNotConfigured
from bridge.settings import Settings, load_settings


@dataclass
class CliState:
    config_path: str | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _services: object = field(default=None, repr=False)

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def engine(self) -> Engine:
        """One engine per command, disposed when the command ends."""
        if self._engine is None:
            self._engine = make_engine(self.settings().database_url)
        return self._engine

    def services(self):  # noqa: ANN201 - bridge.services.Services
        """The composition root over this command's engine, built once per command."""
        if self._services is None:
            from bridge.services import build_services  # commands that need none start faster

            self._services = build_services(self.settings(), engine=self.engine())
        return self._services

    def close(self) -> None:
        self._services = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def exits(func):
    """Map domain errors to one line on stderr and the contract's exit codes."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ConfigError, WhmcsNotConfigured) as exc:
            fail(exc.message, 2)
        except StorageUnavailable as exc:
            fail(f"{exc.message} (check BRIDGE_DATABASE_URL and that the database is up)", 1)
        except BridgeError as exc:
            fail(exc.message, 1)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own usage errors keep their exit code 2
        except Exception as exc:
            if os.environ.get("BRIDGE_DEBUG") == "1":
                raise
            # the type only: exception text may carry values that must not be printed
            fail(f"unexpected {type(exc).__name__}; rerun with BRIDGE_DEBUG=1 for the details", 1)

    return wrapper


def state() -> CliState:
    return click.get_current_context().find_object(CliState) or CliState()


class Progress:
    """A live counter on stderr when it is a terminal; a plain line every `every` steps otherwise."""

    def __init__(self, label: str, *, every: int = 100_000) -> None:
        self.label, self.every, self.count = label, every, 0
        self.tty = sys.stderr.isatty()

    def step(self, n: int = 1) -> None:
        before, self.count = self.count, self.count + n
        if before // self.every == self.count // self.every:
            return
        if self.tty:
            sys.stderr.write(f"\r{self.label}: {self.count}")
            sys.stderr.flush()
        else:
            click.echo(f"{self.label}: {self.count}", err=True)

    def done(self) -> None:
        if self.tty and self.count >= self.every:
            sys.stderr.write("\n")
