"""Back-filling existing WHMCS customers into the ledger as baseline snapshots."""
