"""The privacy ledger: append-only, hash-chained, with personal values encrypted per customer."""
