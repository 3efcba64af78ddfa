#!/usr/bin/env python3
"""How much slower a `dnnc run`'s first epoch is than its second, over several runs.

Runs `java -jar JAR run FILE --epochs 3 --threads 2` RUNS times (with any further arguments) and
prints, per run, the three epochs' images/s, the first over the second and, as a control, the
second over the third: two epochs that the just-in-time compiler should not tell apart. The last
lines give the median and range of each ratio. A first epoch slowed by compilation shows as a
first ratio below the control; on a noisy machine both spread alike.

    bench/epoch_ratios.py --jar tools/target/dnnc-tools-0.1.0-SNAPSHOT-cli.jar --runs 8 \\
        examples/fashion-mlp/src/main/dnn/FashionMlp.dnn
"""
import argparse
import re
import statistics
import subprocess
import sys

EPOCH = re.compile(r"^epoch (\d+)/3\s+(\d+)/(\d+)\s.*?([\d,]+) img/s")


def epochs(jar, file, extra):
    """Images/s of each finished epoch of one run, in order."""
    cmd = ["java", "-jar", jar, "run", file, "--epochs", "3", "--threads", "2"] + extra
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False).stdout
    rates = {}
    for line in re.split(r"[\r\n]", out.decode(errors="replace")):
        m = EPOCH.match(line)
        if m and m.group(2) == m.group(3):
            rates[int(m.group(1))] = float(m.group(4).replace(",", ""))
    if sorted(rates) != [1, 2, 3]:
        sys.exit("no three finished epochs in the output of " + " ".join(cmd) + ":\n" + out.decode(errors="replace"))
    return [rates[1], rates[2], rates[3]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", required=True, help="the dnnc command line's jar")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("file", help="the .dnn file to train")
    ap.add_argument("extra", nargs="*", help="further arguments for dnnc run (after --)")
    a = ap.parse_args()
    first, control = [], []
    for run in range(a.runs):
        e1, e2, e3 = epochs(a.jar, a.file, a.extra)
        first.append(e1 / e2)
        control.append(e2 / e3)
        print(f"run {run + 1}: {e1:,.0f} {e2:,.0f} {e3:,.0f} img/s, first/second {e1 / e2:.3f}, "
              f"second/third {e2 / e3:.3f}", flush=True)
    for name, values in (("first/second", first), ("second/third", control)):
        print(f"{name}: median {statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")


if __name__ == "__main__":
    main()
