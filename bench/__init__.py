"""Benchmarks for the bridge: `python -m bench` (short profile) or `python -m bench --full`.

Benchmarks are not tests: each figure is a ratio against a baseline measured in the same run, next
to the absolute numbers. Everything runs on 127.0.0.1 and in throwaway databases.
"""
