#!/usr/bin/env python3
"""Joins what run.sh left in its work folder into one JSON report on stdout; exits 1 when a test
failed, or a dnnc bench run failed where CUDA is present (without CUDA bench must refuse, saying
why, and the report keeps its message). Usage: report.py WORK_DIR BUNDLE_TGZ."""
import json, os, sys

work, bundle = sys.argv[1], sys.argv[2]

def read(name, default=""):
    path = os.path.join(work, name)
    return open(path).read() if os.path.exists(path) else default

def json_lines(text):
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
    return lines

report = {"bundle_bytes": os.path.getsize(bundle) if os.path.exists(bundle) else None}
try:
    tests = json.loads(read("tests.json"))
except ValueError:
    tests = {"error": "the test runner printed no report (exit status %s)" % read("tests.rc").strip(),
             "stderr": read("tests.err")[-4000:]}
report["tests"] = tests
cuda = tests.get("cuda", {}).get("present", False) if isinstance(tests.get("cuda"), dict) else False
failed = "error" in tests or tests.get("failed", 0) > 0

dnnc = []
for model in ("mlp", "cnn", "resnet"):
    rc = read("dnnc-%s.rc" % model)
    if not rc:
        continue
    lines = json_lines(read("dnnc-%s.out" % model))
    if rc.strip() == "0" and lines:
        dnnc.extend(lines)
    else:
        dnnc.append({"model": model, "exit": int(rc), "error": read("dnnc-%s.err" % model).strip()[-2000:]})
        failed = failed or cuda
pytorch = json_lines(read("pytorch.out"))
ratios = []
for d in dnnc:
    for p in pytorch:
        if "error" not in d and p.get("model") == d["model"] and p.get("batch") == d.get("batch"):
            ratios.append({"model": d["model"], "batch": d["batch"],
                           "train": round(d["train_images_per_s"] / p["train_images_per_s"], 3)
                           if d.get("train_images_per_s") else None,
                           "infer": round(d["infer_images_per_s"] / p["infer_images_per_s"], 3)})
report["bench"] = {"dnnc": dnnc, "pytorch": pytorch, "ratios_dnnc_over_pytorch": ratios}
if read("pytorch.rc") and any(rc != "0" for rc in read("pytorch.rc").split()):
    report["bench"]["pytorch_error"] = read("pytorch.err").strip()[-2000:]
print(json.dumps(report, indent=2))
sys.exit(1 if failed else 0)
