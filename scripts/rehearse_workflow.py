#!/usr/bin/env python3
"""Rehearses a GitHub Actions job from its workflow file, as the hosted runner would run it.

    rehearse_workflow.py check WORKFLOW...
        Every step only checks out, restores a cache, sets env, calls one script under scripts/
        or uploads: a `run:` of more than one command (a pipe, `&&`, `;`, a redirect, a second
        line, `export`…) or a key such as `shell:` or `continue-on-error:` fails, naming the step.
    rehearse_workflow.py run WORKFLOW JOB --temp DIR [--ref REF] [--event NAME] [--schedule CRON]
                             [--input NAME=VALUE]... [--set VAR=VALUE]... [--event-field PATH=VALUE]...
                             [--artifacts DIR] [--matrix KEY=VALUE]... [--needs JOB=RESULT]...
        Runs JOB's steps in the current directory (a fresh clone is the checkout): each `run:` line
        and `env:` as the file has them, `if:` evaluated as GitHub evaluates it (success(),
        failure(), cancelled(), always(), steps.ID.outputs/outcome, inputs, github.ref,
        github.event.schedule, &&, ||, !, ==, !=), each step's $GITHUB_OUTPUT read into
        steps.ID.outputs. `uses:` steps: checkout is the clone; cache restores nothing (the target
        dir the rehearsal starts from stands for it); setup-go runs scripts/install-go.sh; upload-artifact checks its
        path holds files and, with --artifacts, copies them to DIR/NAME (where a later job's
        `gh run download`, played by a stub, finds them). Any other action fails.
        `--event-field pull_request.number=7` sets github.event.pull_request.number. A job of a
        matrix runs once per `--matrix shard=1` given; `--needs build=success` says how a job it
        needs ended (needs.build.result), and the job's own `if:` is evaluated with it.
        download-artifact copies DIR/NAME (or each DIR/* matching its `pattern`) to its path. A
        step with `continue-on-error: true` that fails leaves the job running, as GitHub's does
        (its outcome failure, its conclusion success). `--set` adds the rehearsal's own variables (the
        smallest sizes), printed so a reader sees exactly what differs from the runner. Exit 0
        when the job succeeds, 1 when it fails, 2 on bad input.
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import yaml
except ImportError:
    print("rehearse_workflow: needs PyYAML (pip install pyyaml; .ci/run puts it in its lint venv)", file=sys.stderr)
    sys.exit(2)

ALLOWED_KEYS = {"name", "id", "if", "env", "run", "uses", "with", "continue-on-error"}
SHELL_SYNTAX = re.compile(r"&&|\|\||[;|<>`]|\$\(|\bexport\b|\bif\b|\bthen\b|\bfor\b|\bwhile\b")
REPOSITORY = "rehearsal/spanalloc"
ACTIONS = ("actions/checkout@", "actions/cache@", "actions/setup-go@", "actions/upload-artifact@", "actions/download-artifact@")


def thin(step: dict, where: str) -> list:
    """What makes a step more than a call: each a sentence naming the step."""
    problems = [f"{where}: `{k}:` is logic the script should carry" for k in step if k not in ALLOWED_KEYS]
    run = step.get("run")
    if run is not None:
        line = run.strip()
        if "\n" in line:
            problems.append(f"{where}: `run:` has {line.count(chr(10)) + 1} lines; one call of a script under scripts/ only")
        elif SHELL_SYNTAX.search(line):
            problems.append(f"{where}: `run:` is more than one call: {line!r}")
        else:
            first = shlex.split(line)[0] if line else ""
            if not re.fullmatch(r"scripts/[A-Za-z0-9_.-]+\.(sh|py)", first):
                problems.append(f"{where}: `run:` must call a script under scripts/, not {first!r}")
            elif not Path(first).is_file():
                problems.append(f"{where}: `run:` calls {first}, which does not exist")
    uses = step.get("uses")
    if uses is not None and not uses.startswith(ACTIONS):
        problems.append(f"{where}: `uses: {uses}` is not an action the rehearsal knows")
    if uses is None and run is None:
        problems.append(f"{where}: neither `run:` nor `uses:`")
    return problems


def check(files: list) -> int:
    problems = []
    for f in files:
        wf = yaml.safe_load(Path(f).read_text())
        for job_id, job in wf.get("jobs", {}).items():
            for i, step in enumerate(job.get("steps", [])):
                problems += thin(step, f"{f} job {job_id} step {i + 1} ({step.get('name') or step.get('uses')})")
    for p in problems:
        print(f"rehearse_workflow: {p}", file=sys.stderr)
    return 1 if problems else 0


# --- GitHub's expressions, as far as the workflows here use them --------------------------------

TOKEN = re.compile(r"\s*(?:(\|\||&&|==|!=|!|\(|\)|,)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.-]*(?:\*)?)|(\d+))")


class Expr:
    def __init__(self, text: str, ctx: dict):
        self.tokens, pos = [], 0
        text = text.strip()
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot read the expression at {text[pos:]!r}")
            op, string, ident, number = m.groups()
            self.tokens.append(("op", op) if op else ("str", string.replace("''", "'")) if string is not None
                               else ("id", ident) if ident else ("num", int(number)))
            pos = m.end()
        self.i, self.ctx = 0, ctx

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, op=None):
        t = self.peek()
        if op is not None and t != ("op", op):
            raise ValueError(f"expected {op!r}, found {t[1]!r}")
        self.i += 1
        return t

    def value(self):
        v = self.either()
        if self.i != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return v

    def either(self):
        v = self.both()
        while self.peek() == ("op", "||"):
            self.take()
            w = self.both()
            v = v if truthy(v) else w
        return v

    def both(self):
        v = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            w = self.unary()
            v = w if truthy(v) else v
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        v = self.primary()
        if self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            w = self.primary()
            same = loose(v) == loose(w)
            return same if op == "==" else not same
        return v

    def primary(self):
        kind, tok = self.take()
        if (kind, tok) == ("op", "("):
            v = self.either()
            self.take(")")
            return v
        if kind in ("str", "num"):
            return tok
        if kind == "id":
            if self.peek() == ("op", "("):
                self.take()
                self.take(")")
                return self.ctx["functions"][tok]()
            if tok in ("true", "false"):
                return tok == "true"
            if tok == "null":
                return None
            v = self.ctx
            for part in tok.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            return v
        raise ValueError(f"unexpected {tok!r}")


def truthy(v) -> bool:
    return v not in (None, False, "", 0)


def loose(v):
    # GitHub compares strings case-insensitively and coerces booleans and numbers.
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    return str(v).lower()


def show(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def interpolate(text, ctx: dict) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: show(Expr(m.group(1), ctx).value()), str(text))


def condition(text, ctx: dict) -> bool:
    if text is None:
        return ctx["functions"]["success"]()
    text = str(text).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    return truthy(Expr(m.group(1) if m else text, ctx).value())


# --- the job ------------------------------------------------------------------------------------

def run(args) -> int:
    wf = yaml.safe_load(Path(args.workflow).read_text())
    job = wf["jobs"][args.job]
    problems = [p for i, s in enumerate(job["steps"]) for p in thin(s, f"step {i + 1}")]
    if problems:
        for p in problems:
            print(f"rehearse_workflow: {p}", file=sys.stderr)
        return 1
    temp = Path(args.temp)
    runner_temp = temp / "runner-temp"
    runner_temp.mkdir(parents=True, exist_ok=True)
    inputs = {}
    for kv in args.input:
        k, v = kv.split("=", 1)
        inputs[k] = {"true": True, "false": False}.get(v, v)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    state = {"failed": False}
    event = {"schedule": args.schedule or ""}
    for kv in args.event_field:
        path, value = kv.split("=", 1)
        *parents, leaf = path.split(".")
        node = event
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    ctx = {
        "github": {"ref": args.ref, "event_name": args.event, "event": event, "repository": REPOSITORY,
                   "token": "rehearsal-token", "run_id": "1", "run_attempt": "1", "sha": sha},
        "runner": {"temp": str(runner_temp), "os": "Linux"},
        "inputs": inputs,
        "matrix": dict(kv.split("=", 1) for kv in args.matrix),
        "needs": {k: {"result": v} for k, v in (kv.split("=", 1) for kv in args.needs)},
        "steps": {},
        "functions": {"success": lambda: not state["failed"], "failure": lambda: state["failed"],
                      "cancelled": lambda: False, "always": lambda: True},
    }
    base = dict(os.environ)
    base.update({"GITHUB_REPOSITORY": REPOSITORY, "GITHUB_REF": args.ref, "GITHUB_EVENT_NAME": args.event, "GITHUB_SHA": sha, "GITHUB_RUN_ID": "1",
                 "GITHUB_RUN_ATTEMPT": "1", "RUNNER_TEMP": str(runner_temp), "GITHUB_ACTIONS": "true", "CI": "true"})
    extra = dict(kv.split("=", 1) for kv in args.set)
    if extra:
        print("rehearse: the rehearsal's own settings: " + " ".join(f"{k}={v}" for k, v in extra.items()), flush=True)
    # A job's `if:` runs before any step: success() there is "every job it needs succeeded".
    needs = job.get("needs") or []
    needs = [needs] if isinstance(needs, str) else needs
    job_ctx = dict(ctx, functions=dict(ctx["functions"], success=lambda: all(
        ctx["needs"].get(n, {}).get("result") == "success" for n in needs)))
    if not condition(job.get("if"), job_ctx):
        print(f"rehearse: job {args.job}: skipped ({job.get('if', 'success()')})", flush=True)
        return 0
    for k, v in (job.get("env") or {}).items():
        base[k] = interpolate(v, ctx)
    job_started = time.monotonic()
    for i, step in enumerate(job["steps"]):
        label = interpolate(step.get("name") or step.get("uses"), ctx)
        sid = step.get("id")
        if not condition(step.get("if"), ctx):
            print(f"rehearse: step {i + 1} ({label}): skipped ({step.get('if', 'success()')})", flush=True)
            if sid:
                ctx["steps"][sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            continue
        env = dict(base)
        for k, v in (step.get("env") or {}).items():
            env[k] = interpolate(v, ctx)
        env.update(extra)
        outputs_file = temp / f"output-{i + 1}"
        summary_file = temp / f"summary-{i + 1}"
        outputs_file.write_text("")
        summary_file.write_text("")
        env["GITHUB_OUTPUT"], env["GITHUB_STEP_SUMMARY"] = str(outputs_file), str(summary_file)
        started = time.monotonic()
        status = step_status(step, env, label, i + 1, ctx, args.artifacts)
        took = time.monotonic() - started
        outputs = dict(line.split("=", 1) for line in outputs_file.read_text().splitlines() if "=" in line)
        outcome = "success" if status == 0 else "failure"
        print(f"rehearse: step {i + 1} ({label}): {outcome}" + (f" (exit {status})" if status else "") + f", {took:.0f} s", flush=True)
        # continue-on-error: the step's outcome is a failure, its conclusion (and the job's) not.
        if status != 0 and not step.get("continue-on-error", False):
            state["failed"] = True
        if sid:
            conclusion = "success" if step.get("continue-on-error", False) else outcome
            ctx["steps"][sid] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}
    which = args.job + "".join(f" {k}={v}" for k, v in ctx["matrix"].items())
    print(f"rehearse: job {which}: {'failure' if state['failed'] else 'success'}, {time.monotonic() - job_started:.0f} s", flush=True)
    return 1 if state["failed"] else 0


def step_status(step: dict, env: dict, label: str, n: int, ctx: dict, artifacts) -> int:
    uses = step.get("uses")
    if uses is None:
        print(f"rehearse: step {n} ({label}): {step['run'].strip()}", flush=True)
        return subprocess.run(["bash", "-e", "-c", step["run"]], env=env).returncode
    if uses.startswith("actions/checkout@"):
        print(f"rehearse: step {n} ({label}): the clone is the checkout", flush=True)
        return 0
    if uses.startswith("actions/cache@"):
        print(f"rehearse: step {n} ({label}): restores nothing itself; the target dir the rehearsal was given stands for it", flush=True)
        return 0
    if uses.startswith("actions/setup-go@"):
        print(f"rehearse: step {n} ({label}): Go {step.get('with', {}).get('go-version')} via scripts/install-go.sh", flush=True)
        return subprocess.run(["bash", "scripts/install-go.sh"], env=env).returncode
    if uses.startswith("actions/upload-artifact@"):
        w = step.get("with", {})
        path = Path(interpolate(w.get("path", ""), ctx))
        name = interpolate(w.get("name", ""), ctx)
        files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
        print(f"rehearse: step {n} ({label}): artifact {name} would hold {len(files)} files from {path}", flush=True)
        if not files and w.get("if-no-files-found", "warn") == "error":
            return 1
        if artifacts and files:
            kept = Path(artifacts) / name
            shutil.copytree(path, kept, dirs_exist_ok=True)
            # An artifact keeps no mode bits (actions/upload-artifact zips its files).
            for f in kept.rglob("*"):
                if f.is_file():
                    f.chmod(0o644)
        return 0
    if uses.startswith("actions/download-artifact@"):
        w = step.get("with", {})
        dest = Path(interpolate(w.get("path", "."), ctx))
        if not artifacts:
            print(f"rehearse: step {n} ({label}): no --artifacts to download from", file=sys.stderr)
            return 1
        if "name" in w:
            found = [Path(artifacts) / interpolate(w["name"], ctx)]
            targets = [dest]
        else:
            pattern = interpolate(w.get("pattern", "*"), ctx)
            found = sorted(Path(artifacts).glob(pattern))
            merge = str(w.get("merge-multiple", False)).lower() == "true"
            targets = [dest if merge else dest / f.name for f in found]
        missing = [str(f) for f in found if not f.is_dir()]
        if missing or ("name" in w and not found):
            print(f"rehearse: step {n} ({label}): no artifact {', '.join(missing)}", file=sys.stderr)
            return 1
        for f, t in zip(found, targets):
            shutil.copytree(f, t, dirs_exist_ok=True)
        print(f"rehearse: step {n} ({label}): {len(found)} artifact(s) into {dest}", flush=True)
        return 0
    print(f"rehearse: step {n} ({label}): the rehearsal does not know {uses}", file=sys.stderr)
    return 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("workflows", nargs="+")
    r = sub.add_parser("run")
    r.add_argument("workflow")
    r.add_argument("job")
    r.add_argument("--temp", required=True)
    r.add_argument("--ref", default="refs/heads/main")
    r.add_argument("--event", default="schedule")
    r.add_argument("--schedule", default="")
    r.add_argument("--input", action="append", default=[])
    r.add_argument("--set", action="append", default=[])
    r.add_argument("--event-field", action="append", default=[])
    r.add_argument("--artifacts")
    r.add_argument("--matrix", action="append", default=[])
    r.add_argument("--needs", action="append", default=[])
    a = p.parse_args()
    try:
        return check(a.workflows) if a.cmd == "check" else run(a)
    except (ValueError, KeyError, OSError, yaml.YAMLError) as e:
        print(f"rehearse_workflow: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
