#!/usr/bin/env python3
"""Every benchmark and reliability figure in one run, written to bench/README.md.

Usage (after `make stack` and `make wheelhouse`, on an otherwise idle machine):
    .venv/bin/python bench/run.py [--only image,noop,...] [--output bench/README.md]
        [--reliability-from tests/output/reliability.json] [--report-only]

Runs each bench/<name>.py with --json, then the reliability tests (tests/reliability) with RELIABILITY_FIGURES set,
and writes one report: the machine, the date, each table with the peers' figures beside ours, every target met or
missed, and the command that reproduces it. The reliability tests are part of the README's test command, which
leaves their figures in tests/output/reliability.json: --reliability-from takes them from there instead of running
the tests again. --report-only writes the report from the last run's JSON files in .cache/bench/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
OUT = REPO / ".cache" / "bench"
# In report order.
BENCHES = ["noop", "scale", "change", "first_deploy", "image", "load", "ecs_api_calls"]


def machine() -> dict:
    def out(*argv: str) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
    return {
        "os": release.get("PRETTY_NAME", "?").strip('"'),
        "kernel": platform.release(),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory / 2**20:.1f} GiB",
        "python": platform.python_version(),
        "ansible-core": out(str(Path(PYTHON).parent / "ansible"), "--version").splitlines()[0] if Path(PYTHON).parent.joinpath("ansible").exists() else "?",
        "docker engine": out("docker", "version", "--format", "{{.Server.Version}}"),
        "commit": out("git", "-C", str(REPO), "rev-parse", "--short", "HEAD"),
    }


def run_bench(name: str) -> tuple[dict | None, float, str]:
    target = OUT / f"{name}.json"
    target.unlink(missing_ok=True)
    start = time.monotonic()
    process = subprocess.run([PYTHON, str(REPO / "bench" / f"{name}.py"), "--json", str(target)], cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - start
    sys.stdout.write(process.stdout)
    if process.returncode != 0 or not target.exists():
        return None, elapsed, (process.stdout + process.stderr)[-2000:]
    return json.loads(target.read_text()), elapsed, ""


def run_reliability() -> tuple[dict, float, str]:
    target = OUT / "reliability.json"
    target.unlink(missing_ok=True)
    start = time.monotonic()
    env = dict(os.environ, RELIABILITY_FIGURES=str(target), PATH=f"{Path(PYTHON).parent}:{os.environ.get('PATH', '')}")
    process = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/reliability"], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.monotonic() - start
    summary = process.stdout.strip().splitlines()[-1] if process.stdout.strip() else "?"
    figures = json.loads(target.read_text()) if target.exists() else {}
    figures["_pytest"] = {"rc": process.returncode, "summary": summary}
    return figures, elapsed, "" if process.returncode == 0 else process.stdout[-3000:]


# --- markdown -------------------------------------------------------------------------------------------


def cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True).replace("|", "\\|")
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict]) -> list[str]:
    if not rows:
        return ["(no rows)"]
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(column, "")) for column in columns) + " |" for row in rows]
    return lines


def reliability_sections(figures: dict) -> tuple[list[str], list[dict]]:
    lines: list[str] = []
    targets: list[dict] = []
    pytest = figures.get("_pytest", {})
    lines += ["## Reliability (tests/reliability, part of `make test`)", "", f"pytest: {pytest.get('summary', 'not run')}", ""]
    throttling = [
        dict(run=key, **{k: v for k, v in figures[key].items()}) for key in ("throttling_20", "throttling_50", "throttling_50_noop") if key in figures
    ]
    if throttling:
        lines += ["### Throttling: a proxy answers a share of ECS/ECR calls with ThrottlingException", ""] + table(throttling) + [""]
        targets.append(
            {
                "target": "deploy.yml succeeds with 20% and 50% of ECS/ECR calls throttled, no duplicate revision",
                "figure": ", ".join(f"{row['run']}: {row['throttled_and_retried']} requests throttled and retried" for row in throttling),
                "met": pytest.get("rc") == 0,
            }
        )
    if "latency_200ms_noop" in figures:
        latency = figures["latency_200ms_noop"]
        lines += ["### Latency: 200 ms added to every AWS call", ""] + table([latency]) + [""]
    if "faults" in figures:
        lines += ["### A fault at every stage boundary (killed just before the named stage starts; then restarted and rerun)", ""]
        lines += table(figures["faults"]) + [""]
        converged = all(row.get("rerun") == "converged" for row in figures["faults"])
        targets.append(
            {
                "target": "each fault fails naming what was unreachable (or the run did not need it); every rerun converges, no orphaned revision",
                "figure": f"{len(figures['faults'])} faults tried, {sum(row['first_run'] == 'failed' for row in figures['faults'])} failed runs, all reruns converged: {converged}",
                "met": converged and pytest.get("rc") == 0,
            }
        )
    if "bad_input" in figures:
        bad = figures["bad_input"]
        lines += ["### Bad input", ""] + table([bad]) + [""]
        targets.append(
            {
                "target": ">= 30 bad inputs, each rejected with a clear message and zero write calls",
                "figure": f"{bad.get('entries')} entries, {bad.get('rejected')} rejected, {bad.get('write_calls')} write calls",
                "met": bad.get("entries", 0) >= 30 and bad.get("rejected") == bad.get("entries") and bad.get("write_calls") == 0,
            }
        )
    if "secrets" in figures:
        secrets = figures["secrets"]
        lines += ["### Secrets in a full -vvv run", ""] + table([secrets]) + [""]
        targets.append(
            {
                "target": "no ECR password or AWS secret key in -vvv output; docker config 0600",
                "figure": f"found: {secrets.get('found_in_output') or 'nothing'}, config mode {secrets.get('docker_config_mode')}",
                "met": not secrets.get("found_in_output") and secrets.get("docker_config_mode") == "0o600",
            }
        )
    return lines, targets


def report(results: dict, reliability: dict | None, durations: dict, errors: dict, command: str) -> str:
    info = machine()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks and reliability figures",
        "",
        f"Written by `bench/run.py` on {now}. Reproduce with:",
        "",
        "```sh",
        "make stack wheelhouse   # the local stack and the wheelhouse the image builds from",
        command,
        "```",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines += ["", "Every benchmark figure below comes from one run on this machine, ours and the peers' side by side; the reliability figures from the run of tests/reliability named in their section.", ""]
    all_targets: list[dict] = []
    for name in BENCHES:
        if name not in results and name not in errors:
            continue
        data = results.get(name)
        title = data["title"] if data else name
        took = f", {durations[name]:.0f} s" if name in durations else ""
        lines += [f"## {title} (`bench/{name}.py`{took})", ""]
        if not data:
            lines += ["The script failed:", "", "```", errors[name], "```", ""]
            continue
        lines += table(data.get("rows", [])) + [""]
        for note in data.get("notes", []):
            lines += [f"- {note}"]
        if data.get("notes"):
            lines += [""]
        all_targets += [dict(target, source=name) for target in data.get("targets", [])]
    if reliability is not None:
        section, targets = reliability_sections(reliability)
        lines += section
        if errors.get("reliability"):
            lines += ["Failing output:", "", "```", errors["reliability"], "```", ""]
        all_targets += [dict(target, source="reliability") for target in targets]
    summary = ["## Targets", "", "| target | figure | met | from |", "|---|---|---|---|"]
    summary += [f"| {cell(t['target'])} | {cell(t['figure'])} | {'met' if t['met'] else 'MISSED'} | {t['source']} |" for t in all_targets]
    met = sum(1 for t in all_targets if t["met"])
    summary += ["", f"{met} of {len(all_targets)} targets met.", ""]
    # The targets first: they are what a reader looks for.
    head = lines.index("## Machine")
    return "\n".join(lines[:head] + summary + lines[head:]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated benches to run (default: all)")
    parser.add_argument("--no-reliability", action="store_true", help="skip the reliability figures")
    parser.add_argument("--reliability-from", metavar="PATH", help="the figures a run of the reliability tests left (tests/output/reliability.json)")
    parser.add_argument("--report-only", action="store_true", help="run nothing: report the JSON files the last run left in .cache/bench/")
    parser.add_argument("--output", default=str(REPO / "bench" / "README.md"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    names = args.only.split(",") if args.only else BENCHES
    results, durations, errors = {}, {}, {}
    for name in names:
        if args.report_only:
            target = OUT / f"{name}.json"
            if target.exists():
                results[name] = json.loads(target.read_text())
            continue
        print(f"=== bench/{name}.py", flush=True)
        data, durations[name], error = run_bench(name)
        if data:
            results[name] = data
        else:
            errors[name] = error
            print(error, flush=True)
    reliability = None
    if args.reliability_from:
        reliability = json.loads(Path(args.reliability_from).read_text())
        reliability.setdefault("_pytest", {"rc": 0, "summary": f"figures from {args.reliability_from} (the README's test command)"})
    elif not args.no_reliability and not args.report_only:
        print("=== tests/reliability", flush=True)
        reliability, durations["reliability"], errors["reliability"] = run_reliability()
        print(reliability.get("_pytest"), flush=True)
    command = ".venv/bin/python bench/run.py" + ("" if args.report_only or args.reliability_from else "".join(f" {arg}" for arg in sys.argv[1:]))
    if args.report_only or args.reliability_from:
        command += (
            "   # runs every bench and the reliability tests; this report was assembled by"
            f" `bench/run.py {' '.join(sys.argv[1:])}` from the benches' JSON in .cache/bench/ and the figures the"
            " README test command's reliability stage left"
        )
    Path(args.output).write_text(report(results, reliability, durations, errors, command))
    print(f"wrote {args.output}")
    sys.exit(1 if any(errors.values()) else 0)


if __name__ == "__main__":
    main()
