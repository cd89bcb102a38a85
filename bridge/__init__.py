"""WHMCS Privacy Bridge. Importing this package loads nothing else (no Flask, no database)."""

__version__ = "0.1.0"
