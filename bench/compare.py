#!/usr/bin/env python3
"""Same-run ratios of dnnc against its PyTorch peers, with their spread.

For each round and each model, runs `dnnc bench --model M` and then the model's PyTorch peer with
the same threads, data and epochs, one after the other (so that a change in the machine's load
hits both), and keeps each side's JSON line. At the end it prints, per model, dnnc's figure over
PyTorch's for training and inference: the median and the range over the rounds, and the test
accuracies. The raw lines go to standard error as they arrive, prefixed with the side and round.

    bench/compare.py --rounds 3 --models mlp,cnn,vgg,strided          # full Fashion-MNIST
    bench/compare.py --rounds 2 --models wide_mlp --data DIR --limit 10000

Without --data both sides read the full Fashion-MNIST from /usr/share/datasets/fashion-mnist
(Debian's dataset-fashion-mnist), as their defaults do. --dnnc names the command that runs dnnc
(default: the repository's ./dnnc); use `java -jar JAR` to time a given build.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "bench")

PEERS = {
    "mlp": "pytorch_fmnist.py", "cnn": "pytorch_fmnist.py", "resnet": "pytorch_fmnist.py",
    "vgg": "suite", "strided": "suite", "wide_mlp": "suite",
}


def peer_command(model, a):
    script = os.path.join(HERE, "pytorch_suite.py") if PEERS[model] == "suite" \
        else os.path.join(SHARED, PEERS[model])
    cmd = [a.python, script, "--models", model, "--threads", str(a.threads), "--epochs", str(a.epochs)]
    if a.data:
        cmd += ["--data", a.data]
    if a.limit:
        cmd += ["--limit", str(a.limit)]
    return cmd


def dnnc_command(model, a):
    cmd = shlex.split(a.dnnc) + ["bench", "--model", model, "--threads", str(a.threads), "--epochs", str(a.epochs)]
    if a.data:
        cmd += ["--data", a.data]
    return cmd


def json_line(cmd, who, model, rnd):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("{") and '"model"' in line:
            print(who, rnd, line, file=sys.stderr, flush=True)
            return json.loads(line)
    sys.exit("compare.py: no JSON line from %s for %s (exit %d):\n%s%s"
             % (who, model, out.returncode, out.stdout[-2000:], out.stderr[-2000:]))


def spread(values):
    return "%.2f (%.2f-%.2f)" % (statistics.median(values), min(values), max(values))


def main():
    ap = argparse.ArgumentParser(description="dnnc against PyTorch, alternating, with medians and ranges")
    ap.add_argument("--models", default="mlp,cnn,vgg,strided,wide_mlp")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--data", help="IDX folder for both sides (default: each side's default, the full set)")
    ap.add_argument("--limit", type=int, help="training images for the PyTorch side; give a --data folder "
                    "that holds as many, since dnnc trains on all of a folder's images")
    ap.add_argument("--dnnc", default=os.path.join(ROOT, "dnnc"), help="command that runs dnnc")
    ap.add_argument("--python", default="python3")
    a = ap.parse_args()
    models = a.models.split(",")
    for m in models:
        if m not in PEERS:
            sys.exit("compare.py: unknown model %s (known: %s)" % (m, ", ".join(PEERS)))
    pairs = {m: [] for m in models}
    for rnd in range(1, a.rounds + 1):
        for m in models:
            mine = json_line(dnnc_command(m, a), "dnnc", m, rnd)
            theirs = json_line(peer_command(m, a), "torch", m, rnd)
            pairs[m].append((mine, theirs))
    print("model     train ratio          infer ratio          accuracy dnnc / PyTorch (median)")
    for m, ps in pairs.items():
        train = [d["train_images_per_s"] / t["train_images_per_s"] for d, t in ps]
        infer = [d["infer_images_per_s"] / t["infer_images_per_s"] for d, t in ps]
        acc = "%.4f / %.4f" % (statistics.median(d["test_accuracy"] for d, _ in ps),
                               statistics.median(t["test_accuracy"] for _, t in ps))
        print("%-9s %-20s %-20s %s" % (m, spread(train), spread(infer), acc))


if __name__ == "__main__":
    main()
