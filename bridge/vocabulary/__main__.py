"""`python -m bridge.vocabulary --php` writes lib/Vocabulary.php; `--check` only compares."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridge.vocabulary.php import PHP_PATH, REPOSITORY, check, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.vocabulary", description=__doc__)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--php", action="store_true", help="write the module's lib/Vocabulary.php")
    action.add_argument("--check", action="store_true", help="exit 1 if lib/Vocabulary.php is out of date")
    parser.add_argument("--path", type=Path, default=REPOSITORY / PHP_PATH, help="the PHP file (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.check:
        problem = check(args.path)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{args.path} is up to date")
        return 0
    args.path.write_text(render(), encoding="utf-8")
    print(f"wrote {args.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
