"""`bridge demo`: the whole story on a fresh SQLite database and the built-in WHMCS emulator."""
