"""Privacy policy versions: published with a notice period, in force from `effective_at`."""
