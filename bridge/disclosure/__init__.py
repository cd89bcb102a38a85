"""Disclosures: billing information to a verified customer; data to third parties only on the
policy's three grounds. Every attempt is a ledger entry."""
