"""Check a TensorFlow release: every lesson executed in a throw-away environment, errors reported.

    python -m tools.compat --tf 2.19                    (or `make compat TF=2.19`)
    python -m tools.compat --tf 2.16 --python python3.12 --keras 3.0.5 --numpy 1.26.0
    python -m tools.compat --tf 2.16 --venv build/compat-2.16 --lessons 03 08 --diff

1. Creates a virtual environment in a temporary folder (``--venv DIR``: that folder, created if
   missing, reused and kept if present) with ``--python`` (default: this interpreter).
2. Installs, in one resolution, TensorFlow ``--tf`` (``X.Y`` means the newest ``X.Y.*``; on
   Linux x86_64 the CPU-only ``tensorflow-cpu`` build as in requirements.txt, ``--full`` for
   ``tensorflow``), Keras, NumPy and matplotlib at whatever versions pip finds compatible with
   it (``--keras``, ``--numpy``, ``--matplotlib`` pin them: ``3.0.5`` exactly, ``3.0`` the
   newest ``3.0.*``, or any specifier such as ``"<2"``), and the notebook runner at the
   versions pinned in requirements.txt (nbclient, ipykernel, jupyter_client, nbformat, nbval).
   Then the course's helpers with ``pip install --no-deps -e .``, so that they bring no other
   TensorFlow.
3. Prints the versions installed, then executes every lesson (``--lessons``: some) on a copy
   of notebooks/ with the kernel and settings of tools/course.py (the tests' own),
   going on after a failing cell as nbval does. Per lesson: ``ok``, or the first unexpected
   error (cell index in the notebook, counted from 0, and the exception line) and how many
   cells raised; and how many outputs differ from the stored ones once the TensorFlow version
   line and memory addresses are taken out (``--diff`` prints the differences). A cell tagged
   ``raises-exception`` that raises nothing, or another exception than stored, is an error.
4. Removes the environment unless ``--keep`` or ``--venv``.

Exit status: 0 every lesson ran without an error, 1 a lesson errored, 2 the environment could
not be made (the pip log's end is printed; e.g. a pin that conflicts with the TensorFlow
release, or a Python it has no wheels for). The stored notebooks are never written.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.course import NOTEBOOKS, ROOT

REQUIREMENTS = ROOT / "requirements.txt"

#: What executes the notebooks, installed at the versions requirements.txt pins (if it does).
RUNNER = ["nbclient", "ipykernel", "jupyter_client", "nbformat", "jsonschema", "nbval"]
#: The distributions whose versions head the report.
REPORTED = ["tensorflow", "tensorflow-cpu", "tf-keras", "keras", "numpy", "matplotlib"]
PIP = ["-m", "pip", "--disable-pip-version-check", "--no-input"]


# --- the environment (runs on any Python 3.11+, standard library only) ------------------------


def pinned(name: str) -> str | None:
    """The ``name==version`` line of requirements.txt, without its environment marker."""
    pattern = re.compile(rf"^{re.escape(name)}\s*==\s*([^\s;#]+)", re.IGNORECASE)
    for line in REQUIREMENTS.read_text().splitlines():
        match = pattern.match(line.strip())
        if match:
            return f"{name}=={match.group(1)}"
    return None


def default_tf() -> str:
    """The TensorFlow release requirements.txt pins (tensorflow-cpu or tensorflow)."""
    for name in ("tensorflow-cpu", "tensorflow"):
        line = pinned(name)
        if line:
            return line.split("==", 1)[1]
    raise SystemExit("requirements.txt pins no TensorFlow: give --tf")


def spec(name: str, version: str | None) -> str:
    """A requirement: ``3.0.5`` -> ``==3.0.5``, ``3.0`` -> ``==3.0.*``, ``<2`` as it is."""
    if not version:
        return name
    if version[0] in "<>=!~":
        return f"{name}{version}"
    if re.fullmatch(r"\d+\.\d+", version):
        return f"{name}=={version}.*"
    return f"{name}=={version}"


def cpu_build_platform() -> bool:
    """Linux x86_64, where requirements.txt installs ``tensorflow-cpu``."""
    return sys.platform.startswith("linux") and platform.machine() in (
        "x86_64",
        "AMD64",
    )


def requirements(args: argparse.Namespace) -> list[str]:
    tf_name = (
        "tensorflow" if args.full or not cpu_build_platform() else "tensorflow-cpu"
    )
    wanted = [
        spec(tf_name, args.tf),
        spec("keras", args.keras),
        spec("numpy", args.numpy),
        spec("matplotlib", args.matplotlib),
    ]
    return wanted + [pinned(name) or name for name in RUNNER]


def sh(command: list[str], log: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run ``command``, appending its output to ``log``."""
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(map(str, command))}\n")
        out.flush()
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)


def fail(message: str, log: Path, lines: int = 25) -> int:
    tail = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else []
    print(
        f"compat: {message}; the end of pip's output:",
        *("    " + x for x in tail),
        sep="\n",
    )
    return 2


def make_environment(args: argparse.Namespace, venv: Path, env: dict[str, str]) -> int:
    log = venv.parent / f"{venv.name}.pip.log"
    python = venv / "bin" / "python"
    reused = python.exists()
    if not reused:
        print(f"compat: creating {venv} with {args.python}", flush=True)
        result = sh([args.python, "-m", "venv", str(venv)], log, env=env)
        if result.returncode:
            return fail(f"{args.python} -m venv failed", log)
    wanted = requirements(args)
    print("compat: pip install", " ".join(wanted), flush=True)
    start = time.perf_counter()
    # --no-compile: as the Makefile; byte-compiling all of TensorFlow doubles the install time.
    # In a reused environment --upgrade makes pip choose as in a new one (the newest compatible
    # version of what is not pinned), not keep what an earlier run pinned lower.
    upgrade = ["--upgrade"] if reused else []
    result = sh(
        [python, *PIP, "install", "--no-compile", *upgrade, *wanted], log, env=env
    )
    if result.returncode:
        return fail("pip could not install these together", log)
    # The helpers, without their declared dependencies: they must not choose the TensorFlow.
    helpers = [python, *PIP, "install", "--no-compile", "--no-deps", "-e", str(ROOT)]
    result = sh(helpers, log, env=env)
    if result.returncode:
        return fail("pip install --no-deps -e . failed", log)
    print(f"compat: installed in {time.perf_counter() - start:.0f} s (log: {log})")
    check = subprocess.run(
        [python, *PIP, "check"], env=env, capture_output=True, text=True, check=False
    )
    if check.returncode:
        print("compat: pip check reports:", *check.stdout.splitlines(), sep="\n    ")
    return 0


def outer(args: argparse.Namespace) -> int:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env["PYTHONNOUSERSITE"] = "1"  # nothing from ~/.local
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.venv:
        venv, remove = Path(args.venv).resolve(), False
        venv.parent.mkdir(parents=True, exist_ok=True)
    else:
        parent = Path(tempfile.mkdtemp(prefix=f"compat-tf{args.tf}-"))
        venv, remove = parent / "venv", not args.keep
    try:
        status = make_environment(args, venv, env)
        if status:
            return status
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(venv)
        worker = [str(venv / "bin" / "python"), "-m", "tools.compat", "--worker"]
        worker += ["--timeout", str(args.timeout)] + (["--diff"] if args.diff else [])
        worker += ["--lessons", *args.lessons] if args.lessons else []
        worker += ["--json", str(Path(args.json).resolve())] if args.json else []
        return subprocess.run(worker, env=env, cwd=ROOT, check=False).returncode
    finally:
        if remove:
            shutil.rmtree(venv.parent, ignore_errors=True)
        else:
            print(f"compat: kept {venv}")


# --- the lessons (runs inside the new environment) ---------------------------------------------


def versions() -> dict[str, str]:
    from importlib import metadata

    found = {"python": platform.python_version()}
    for name in REPORTED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


#: What may differ between releases without meaning anything: the version line and addresses.
SANITIZERS = [
    (re.compile(r"^TensorFlow \d+\.\d+\S*$", re.MULTILINE), "TensorFlow VERSION"),
    (re.compile(r"0x[0-9a-fA-F]{6,}"), "0xADDRESS"),
]


def comparable(output, rules) -> str:
    """An output as text nbval would compare (images and HTML left out), sanitized."""
    kind = output.output_type
    if kind == "stream":
        kind, text = output.name, output.text
    elif kind == "error":
        text = f"{output.ename}: {output.evalue}"
    else:
        text = output.get("data", {}).get("text/plain", "")
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return f"[{kind}] {text}"


def first_line(text: str, width: int = 240) -> str:
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def check_lesson(path: Path, timeout: int, show_diff: bool, rules) -> dict:
    """Execute a copy of one lesson; its errors and output differences."""
    import copy

    import nbformat

    from tools.course import clean, client  # the tests' kernel and settings

    nb = nbformat.read(path, as_version=4)
    stored = copy.deepcopy(nb)
    runner = client(nb, path.parent, timeout)
    runner.allow_errors = True  # go on after a failing cell, as nbval does
    result: dict = {
        "lesson": path.stem,
        "errors": [],
        "differ": 0,
        "outputs": 0,
        "cells": [],
    }
    result["executed"] = {}  # cell index -> its outputs as compared (in --json's file)
    start = time.perf_counter()
    try:
        runner.execute()
    except Exception as exc:  # a dead kernel, a timeout: the cells after it did not run
        index = getattr(exc, "cell_index", None)
        if index is None:  # nbclient's own cell loop index is not on the exception
            ran = [
                i
                for i, c in enumerate(nb.cells)
                if c.get("execution_count") is not None
            ]
            index = ran[-1] + 1 if ran else 0
        result["errors"].append(
            {
                "cell": index,
                "line": f"{type(exc).__name__}: {first_line(exc)}",
                "stop": True,
            }
        )
    result["seconds"] = round(time.perf_counter() - start, 1)
    clean(nb)
    for index, (new, old) in enumerate(zip(nb.cells, stored.cells, strict=True)):
        if new.cell_type != "code":
            continue
        raises = "raises-exception" in new.metadata.get("tags", [])
        errors = [o for o in new.outputs if o.output_type == "error"]
        expected = [o.ename for o in old.outputs if o.output_type == "error"]
        if errors and not raises:
            line = f"{errors[0].ename}: {first_line(errors[0].evalue)}"
            result["errors"].append({"cell": index, "line": line})
        elif raises and not errors and new.get("execution_count") is not None:
            result["errors"].append(
                {"cell": index, "line": "raises-exception: nothing raised"}
            )
        elif raises and errors and expected and errors[0].ename != expected[0]:
            line = f"{errors[0].ename}, {expected[0]} stored: {first_line(errors[0].evalue)}"
            result["errors"].append({"cell": index, "line": line})
        a = [comparable(o, rules) for o in old.outputs]
        b = result["executed"][index] = [comparable(o, rules) for o in new.outputs]
        result["outputs"] += max(len(a), len(b))
        differing = sum(x != y for x, y in zip(a, b, strict=False)) + abs(
            len(a) - len(b)
        )
        if differing:
            result["differ"] += differing
            result["cells"].append(index)
            if show_diff:
                diff = difflib.unified_diff(
                    "\n".join(a).splitlines(),
                    "\n".join(b).splitlines(),
                    f"stored cell {index}",
                    f"executed cell {index}",
                    lineterm="",
                    n=0,
                )
                print(
                    f"--- {path.stem}, cell {index}:", *list(diff)[2:42], sep="\n    "
                )
    result["errors"].sort(key=lambda e: e["cell"])
    return result


def worker(args: argparse.Namespace) -> int:
    found = versions()
    width = max(map(len, found))
    for name, version in found.items():
        print(f"{name:<{width}}  {version}")
    print(flush=True)
    rules = SANITIZERS
    results = []
    with tempfile.TemporaryDirectory(prefix="compat-notebooks-") as tmp:
        copy = Path(tmp) / "notebooks"
        shutil.copytree(
            NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
        )
        paths = sorted(copy.glob("*.ipynb"))
        if args.lessons:
            paths = [
                p for p in paths if any(p.stem.startswith(x) for x in args.lessons)
            ]
        for path in paths:
            result = check_lesson(path, args.timeout, args.diff, rules)
            results.append(result)
            errors = result["errors"]
            if errors:
                first = errors[0]
                more = f" (+{len(errors) - 1} more cells)" if len(errors) > 1 else ""
                status = f"ERROR cell {first['cell']}: {first['line']}{more}"
            else:
                status = "ok"
            differ = f"{result['differ']}/{result['outputs']} outputs differ"
            cells = (
                f" (cells {', '.join(map(str, result['cells']))})"
                if result["cells"]
                else ""
            )
            print(
                f"{path.stem:<30} {result['seconds']:>5.1f} s  {status}  [{differ}{cells}]"
            )
            for error in errors[1:] if args.diff else []:
                print(f"{'':<30}          also cell {error['cell']}: {error['line']}")
            sys.stdout.flush()
    bad = [r["lesson"] for r in results if r["errors"]]
    print(
        f"\n{len(results) - len(bad)} of {len(results)} lessons ran without an error",
        end="",
    )
    print(f"; errors in {', '.join(bad)}" if bad else "")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"versions": found, "lessons": results}, indent=1)
        )
    return 1 if bad or not results else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tf", help="TensorFlow release, e.g. 2.19 or 2.16.2 (default: pinned)"
    )
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for the venv"
    )
    parser.add_argument(
        "--full", action="store_true", help="install tensorflow, not -cpu"
    )
    parser.add_argument(
        "--keras", help="Keras version or specifier (default: pip's choice)"
    )
    parser.add_argument(
        "--numpy", help="NumPy version or specifier (default: pip's choice)"
    )
    parser.add_argument("--matplotlib", help="matplotlib version or specifier")
    parser.add_argument(
        "--lessons", nargs="+", help="lesson prefixes, e.g. 03 08 (default: all)"
    )
    parser.add_argument(
        "--timeout", type=int, default=300, help="seconds per cell (300)"
    )
    parser.add_argument(
        "--diff", action="store_true", help="print the differing outputs"
    )
    parser.add_argument("--keep", action="store_true", help="keep the environment")
    parser.add_argument("--venv", help="use this folder for the environment (kept)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    args.tf = args.tf or default_tf()
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())
