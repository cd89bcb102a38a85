"""Identity verification: who may change protected fields, and who may see billing data."""
