#!/usr/bin/env python3
"""What HotSpot's just-in-time compiler does in each epoch of a `dnnc run`.

Runs java with the arguments given after `--` under -XX:+LogCompilation, echoes the run's output,
then counts, per epoch, for the runtime's classes and the generated network class: compilations
(C1 at levels 1-3, C2 at level 4, on-stack replacements among them), the seconds C2's tasks took
(wall clock in the compiler thread, so a loaded machine inflates them), C2 code made not entrant
(deoptimized or invalidated, not a tier replacement) and uncommon traps by reason and method.
Counts do not depend on the machine's load much; times do.

    python3 bench/jit_epochs.py -- -jar tools/target/dnnc-tools-0.1.0-SNAPSHOT-cli.jar run \\
        --data=/tmp/fm10k --epochs=2 --threads=2 examples/fashion-cnn/src/main/dnn/FashionCnn.dnn

An epoch's window runs from the end of the previous epoch (for the first, from the run's
"N training examples" line) to its own line, and a last window covers what follows; output lines
are stamped as they arrive.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

EPOCH = re.compile(r"epoch (\d+)/\d+\s+(\d+)/(\d+)")
HEADER = re.compile(r"(\w+): [\d,]+ training examples")


def attr(line, name):
    m = re.search(r"\b" + name + r"='([^']*)'", line)
    return m.group(1) if m else None


def run(java_args, log):
    """Runs java, echoing its output; returns the launch's wall time and (seconds since it, line) pairs."""
    cmd = ["java", "-XX:+UnlockDiagnosticVMOptions", "-XX:+LogCompilation", "-XX:LogFile=" + log] + java_args
    start = time.time()
    lines, buf = [], b""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as p:
        while True:
            c = p.stdout.read(1)
            if not c:
                break
            sys.stdout.buffer.write(c)
            if c in (b"\r", b"\n"):
                sys.stdout.flush()
                if buf:
                    lines.append((time.time() - start, buf.decode(errors="replace")))
                buf = b""
            else:
                buf += c
    return start, lines


def epochs(lines):
    """The network's name and each finished epoch's (start, end) in seconds."""
    name, windows, last = None, {}, None
    for t, text in lines:
        h = HEADER.match(text)
        if h:
            name, last = h.group(1), t
        e = EPOCH.match(text)
        if e and e.group(2) == e.group(3) and last is not None:
            windows[int(e.group(1))] = (last, t)
            last = t
    return name, windows


def events(log, ours, launched):
    """Compilations, C2 task times, invalidations and traps of the methods `ours` accepts, stamped
    in seconds since the launch (the log's stamps count from the JVM's start, its time_ms)."""
    methods = {}
    found = []
    task = None
    with open(log, errors="replace") as f:
        lines = f.read().split("\n")
    shift = 0.0
    for i, line in enumerate(lines):
        if line.startswith("<hotspot_log "):
            shift = int(attr(line, "time_ms")) / 1000 - launched
        elif line.startswith("<nmethod"):
            method = attr(line, "method") or ""
            methods[(attr(line, "compile_id"), attr(line, "compiler"))] = method
            if ours(method):
                found.append((float(attr(line, "stamp")) + shift, "compile",
                              (attr(line, "level") or "4", attr(line, "compile_kind") == "osr")))
        elif line.startswith("<make_not_entrant") and attr(line, "level") == "4":
            method = methods.get((attr(line, "compile_id"), attr(line, "compiler")), "")
            if ours(method):
                found.append((float(attr(line, "stamp")) + shift, "invalidated", short(method)))
        elif line.startswith("<uncommon_trap thread"):
            method = methods.get((attr(line, "compile_id"), attr(line, "compiler")), "")
            inner = lines[i + 1] if lines[i + 1].startswith("<jvms") else ""
            if ours(method):
                at = short(attr(inner, "method") or method) + "@" + (attr(inner, "bci") or "?")
                found.append((float(attr(line, "stamp")) + shift, "trap", (attr(line, "reason"), at)))
        elif line.startswith("<task "):
            task = (attr(line, "method") or "", float(attr(line, "stamp")) + shift, attr(line, "level"))
        elif line.startswith("<task_done") and task:
            method, began, level = task
            if ours(method) and level in (None, "4"):
                done = float(attr(line, "stamp")) + shift
                found.append((done, "c2_seconds", (began, done)))
            task = None
    return found


def short(method):
    parts = method.split(" ")
    return parts[0].rsplit(".", 1)[-1] + "::" + parts[1] if len(parts) > 1 else method


def report(name, windows, found):
    spans = [(f"epoch {k}", lo, hi) for k, (lo, hi) in sorted(windows.items())]
    if windows:
        # Testing (and the JVM's exit) after the epochs: where evaluation's first calls deoptimize.
        spans.append(("after the epochs", max(hi for _, hi in windows.values()), float("inf")))
    for label, lo, hi in spans:
        counts = collections.Counter()
        traps = collections.Counter()
        invalidated = collections.Counter()
        c2_seconds = 0.0
        for stamp, kind, value in found:
            if kind == "c2_seconds":
                began, done = value
                c2_seconds += max(0.0, min(done, hi) - max(began, lo))
                continue
            if not lo <= stamp <= hi:
                continue
            if kind == "compile":
                level, osr = value
                counts["C2" if level == "4" else "C1"] += 1
                counts["OSR"] += osr
            elif kind == "invalidated":
                invalidated[value] += 1
            elif kind == "trap":
                traps[value] += 1
        seconds = f" ({hi - lo:.2f}s)" if hi != float("inf") else ""
        print(f"{label}{seconds}: {counts['C1'] + counts['C2']} compilations "
              f"(C1 {counts['C1']}, C2 {counts['C2']}, OSR {counts['OSR']}), C2 busy {c2_seconds:.2f}s, "
              f"C2 code made not entrant {sum(invalidated.values())}, uncommon traps {sum(traps.values())}")
        for (reason, at), n in traps.most_common():
            print(f"  trap {reason} at {at}: {n}")
        for method, n in invalidated.most_common():
            print(f"  not entrant: {method}: {n}")
    if not windows:
        print(f"no finished epoch found in the output of {name or 'the run'}")


def main():
    if "--" not in sys.argv:
        sys.exit(__doc__)
    java_args = sys.argv[sys.argv.index("--") + 1:]
    fd, log = tempfile.mkstemp(suffix=".log", prefix="jit-")
    os.close(fd)
    try:
        launched, lines = run(java_args, log)
        name, windows = epochs(lines)
        pattern = re.compile(r"^org\.dnnc\.runtime\.|^(\S+\.)?" + re.escape(name or "-") + r"[ $]")

        def ours(method):
            return bool(pattern.search(method))

        report(name, windows, events(log, ours, launched))
    finally:
        os.remove(log)


if __name__ == "__main__":
    main()
