"""``python -m bench``: the benchmark, the ceiling in the same run, a markdown report.

    python -m bench                       # full run (about 10 minutes), writes bench/RESULTS.md
    python -m bench --smoke --out r.md    # a short run that only shows the harness works
"""
from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from dataclasses import replace
from pathlib import Path

from . import load, report, run

DEFAULT_OUT = Path(__file__).resolve().parent / "RESULTS.md"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="1 round of 1 s per case, small ledgers: checks the harness, not the figures")
    parser.add_argument("--out", type=Path, default=None, help=f"report path (default {DEFAULT_OUT})")
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto",
                        help="wrk if installed (auto), or the slower Python fallback")
    parser.add_argument("--rounds", type=int, help="rounds per case (default 5)")
    parser.add_argument("--seconds", type=float, help="seconds per case and round (default 5)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs, databases)")
    args = parser.parse_args(argv)

    plan = run.SMOKE if args.smoke else run.FULL
    if args.rounds:
        plan = replace(plan, rounds=args.rounds)
    if args.seconds:
        plan = replace(plan, seconds=args.seconds)
    out = args.out or DEFAULT_OUT
    gen = load.choose(args.loadgen)
    folder = run.temp_folder()
    command = "python -m bench" + "".join(f" {shlex.quote(a)}" for a in (argv if argv is not None else sys.argv[1:]))
    try:
        figures = run.run(plan, gen, folder)
        out.write_text(report.render(figures, command))
        print(f"report written to {out}")
    finally:
        if args.keep:
            print(f"working folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
