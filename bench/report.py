"""Results: one Markdown table (figures vs their baselines and targets) and the raw JSON."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime

from bench.common import OUT, REPO

HEADER = ("| figure | measured | baseline (same run) | ratio | p50 / p99 | target | met |\n"
          "| --- | --- | --- | --- | --- | --- | --- |")


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def http_row(f: dict) -> str:
    i, b, floor = f["ingest"], f["bare"], f.get("floor")
    of_floor = i["rps"] / floor["rps"] if floor else 0.0
    target, ok = f"{of_floor:.3f} of floor; >= 0.6 of floor", of_floor >= 0.6
    valid = "" if not f["checks"] else " (INVALID: see checks)"
    cpu_i = i["server_cpu_s"] * 1000 / max(1, i["requests"])
    cpu_b = b["server_cpu_s"] * 1000 / max(1, b["requests"])
    floor_text = "" if not floor else (
        f"; floor (bare + one durable INSERT) {floor['rps']:.0f} req/s = {f['floor_ratio']:.3f} of bare")
    return (f"| HTTP ingest, {f['backend']}, {f['workers']} sync workers, {f['connections']} conns, "
            f"{f.get('workload', 'unverified')} edits{valid} "
            f"| {i['rps']:.0f} req/s ({cpu_i:.2f} ms server CPU each) "
            f"| bare Flask {b['rps']:.0f} req/s ({cpu_b:.2f} ms CPU each, p99 {b['p99_ms']:.1f} ms){floor_text} "
            f"| {f['ratio']:.3f} | {i['p50_ms']:.1f} / {i['p99_ms']:.1f} ms | {target} | {_yes(ok)} |")


def verify_row(f: dict, flat: bool) -> str:
    ok = f["per_s"] >= 200_000 and flat
    return (f"| ledger verify, SQLite, {f['entries']:,} entries ({f['body_mib']} MiB) | {f['per_s']:,} entries/s, "
            f"traced peak {f['traced_peak_mib']} MiB, maxrss {f['rss_peak_mib']} MiB "
            f"| raw SHA-256 {f['sha_per_s']:,}/s (read path alone {f['fetch_per_s']:,}/s) | {f['ratio']:.3f} "
            f"| {f['seconds']} s total | >= 200,000/s, memory flat | {_yes(ok)} |")


def append_row(f: dict) -> str:
    what_if = "what-if" in f["backend"]
    if what_if:
        target, met = "(diagnostic)", "-"
    else:
        need = 5000 if f["backend"] == "sqlite" else 2500
        target, met = f">= {need:,}/s", _yes(f["ledger"]["per_s"] >= need)
    led, base = f["ledger"], f["baseline"]
    per_call = f.get("per_call", 1)
    calls = "1 entry per call" if per_call == 1 else f"{per_call} entries per call"
    latency = "per call" if per_call > 1 else ""
    return (f"| append, {f['backend']}, {f['threads']} thread(s), {calls} | {led['per_s']:,.0f} entries/s "
            f"({led['cpu_ms_per_op']} ms CPU each) | raw INSERT {base['per_s']:,.0f} rows/s, {per_call} per "
            f"transaction ({base['cpu_ms_per_op']} ms CPU each) | {f['ratio']:.3f} "
            f"| {led['p50_ms']} / {led['p99_ms']} ms {latency}| {target} | {met} |")


def markdown(results: dict) -> str:
    rows = [HEADER]
    rows += [http_row(f) for f in results.get("http", [])]
    verify = results.get("verify", [])
    peaks = [f["traced_peak_mib"] for f in verify]
    flat = bool(peaks) and max(peaks) <= 2 * min(peaks) + 1
    rows += [verify_row(f, flat) for f in verify]
    rows += [append_row(f) for f in results.get("append", [])]
    lines = ["\n".join(rows), ""]
    for f in results.get("http", []):
        if f["checks"]:
            lines.append(f"Checks failed for HTTP {f['backend']}: " + "; ".join(c[:300] for c in f["checks"]))
    m = results["machine"]
    lines.append(f"Machine: {m['cpus']} CPUs, Python {m['python']}, SQLite {m['sqlite']}, commit {m['commit']}, "
                 f"{m['when']}. Profile: {results['profile']}.")
    return "\n".join(lines) + "\n"


def machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,  # noqa: S607
                            text=True, check=False).stdout.strip()
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "commit": commit or "?", "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def write(results: dict) -> str:
    OUT.mkdir(exist_ok=True)
    text = markdown(results)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "results.md").write_text(text)
    return text
