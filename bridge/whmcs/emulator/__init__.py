"""An in-memory WHMCS that speaks api.php: `EmulatorState` (plain Python: data, rules, call log,
failure injection, hook sink), `create_emulator_app` (the Flask app, in `app`), `seed_demo` and
`running_emulator` (a real HTTP server for tests and the demo, in `server`).

Importing this package loads no Flask; `app` and `server` do.
"""

from bridge.whmcs.emulator.state import EmulatorState

__all__ = ["EmulatorState"]
