"""Reads what `nsys stats --format csv` prints for a trace report (`cuda_gpu_trace`, called `gputrace`
before Nsight Systems 2023; `cuda_api_trace`, before that `cudaapitrace`) and measures the training
loop of one `dnnc bench --device cuda` run: the share of the GPU's time spent in kernels, and the
kernels and graph launches per step.

The training loop is found on the GPU's timeline, since the JavaCPP CUDA bindings have no profiler
API to mark it: it runs from the first kernel (the first step's: weights are uploaded by copies, and
a step is a CUDA graph, so the first kernel that runs is the first launched graph's; with the API
trace, the first kernel from the first graph launch on) to the end of the last optimizer kernel
(`opt_adam`, `opt_sgd`, every `opt_*` kernel: only a training step runs one; the inference timing that
follows in `dnnc bench` runs none). The profile must trace CUDA graphs by node
(`nsys profile --cuda-graph-trace=node`) for a graph's kernels to be seen one by one."""
import csv
import re

# The optimizers of kernels/.../optimizer.cu (opt_adam, opt_sgd, opt_momentum, opt_adagrad, opt_rmsprop, opt_step_gate).
_OPTIMIZER = re.compile(r"\bopt_[a-z_]+\b")
_UNITS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
_GRAPH_LAUNCH = re.compile(r"^cu(da)?GraphLaunch")
_KERNEL_LAUNCH = re.compile(r"^(cuLaunchKernel|cudaLaunchKernel)")


def tables(text):
    """Every CSV table in `text`: a header line holding a `Name` column and the rows up to the next
    blank or non-CSV line. `nsys stats` prints notes around them ("Processing [...] with [...]",
    a report's title), which are skipped."""
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        header = next(csv.reader([lines[i]]), [])
        if "Name" in [h.strip() for h in header] and len(header) > 2:
            rows = []
            i += 1
            while i < len(lines) and lines[i].strip():
                row = next(csv.reader([lines[i]]))
                if len(row) > len(header) and header[-1].strip() == "Name":
                    # A kernel's signature unquoted: its commas split the last column.
                    row = row[:len(header) - 1] + [",".join(row[len(header) - 1:])]
                if len(row) != len(header):
                    break
                rows.append(dict(zip([h.strip() for h in header], row)))
                i += 1
            found.append(([h.strip() for h in header], rows))
        else:
            i += 1
    return found


def _column(header, word):
    """The column named `word`, with or without a unit ("Start (ns)", "Start (us)", "Start"), and the
    factor that turns its values into nanoseconds."""
    for h in header:
        m = re.fullmatch(re.escape(word) + r"\s*(?:\((ns|us|ms|s)\))?", h)
        if m:
            return h, _UNITS[m.group(1) or "ns"]
    return None, None


def _events(text):
    """(start ns, duration ns, name) of every row of the first table with Start, Duration and Name."""
    for header, rows in tables(text):
        start, s_unit = _column(header, "Start")
        duration, d_unit = _column(header, "Duration")
        if start and duration:
            events = []
            for r in rows:
                try:
                    events.append((float(r[start]) * s_unit, float(r[duration]) * d_unit, r["Name"]))
                except ValueError:
                    continue
            return events
    return None


def _busy(intervals):
    """The time covered by the union of (start, end) intervals: kernels on several streams overlap."""
    total, end = 0.0, None
    for s, e in sorted(intervals):
        if end is None or s > end:
            total += e - s
            end = e
        elif e > end:
            total += e - end
            end = e
    return total


def training_loop(gpu_trace, api_trace, steps, train_seconds=None):
    """The training loop's figures from the two reports' text; `steps` is the number of training
    steps the run made, `train_seconds` the loop's wall time as bench measured it (optional).
    A dict whose `error` says why nothing was measured, when the traces cannot tell."""
    gpu = _events(gpu_trace)
    if gpu is None:
        return {"error": "no GPU trace table (Start, Duration, Name) in nsys stats' output"}
    if not gpu:
        return {"error": "the GPU trace is empty"}
    optimizer_ends = [s + d for s, d, n in gpu if _OPTIMIZER.search(n)]
    if not optimizer_ends:
        return {"error": "no optimizer kernel (opt_adam, opt_sgd, ...) in the GPU trace: were CUDA graphs"
                         " traced by node (--cuda-graph-trace=node)?"}
    api = _events(api_trace) if api_trace is not None else None
    launches = [s for s, _, n in api or [] if _GRAPH_LAUNCH.match(n)]
    first_launch = min(launches) if launches else float("-inf")
    end = max(optimizer_ends)
    kernels = [(s, s + d) for s, d, n in gpu if not n.startswith("[CUDA") and first_launch <= s < end]
    if not kernels:
        return {"error": "no kernel ran between the first graph launch and the last optimizer kernel"}
    begin = min(s for s, _ in kernels)
    busy = _busy(kernels)
    window = end - begin
    result = {"steps": steps, "window_s": round(window / 1e9, 6), "kernel_busy_s": round(busy / 1e9, 6),
              "kernel_share_of_window": round(busy / window, 4) if window > 0 else None,
              "kernels_per_step": round(len(kernels) / steps, 2)}
    if train_seconds:
        result["train_wall_s"] = round(train_seconds, 6)
        result["kernel_share_of_train_wall"] = round(busy / 1e9 / train_seconds, 4)
    if api is None:
        result["graph_launches_per_step"] = "not measured: no CUDA API trace table"
    else:
        # From the first graph launch: the first step's launch comes before its first kernel.
        lo = first_launch if launches else begin
        in_loop = [n for s, _, n in api if lo <= s < end]
        result["graph_launches_per_step"] = round(sum(1 for n in in_loop if _GRAPH_LAUNCH.match(n)) / steps, 2)
        result["host_kernel_launches_per_step"] = round(sum(1 for n in in_loop if _KERNEL_LAUNCH.match(n)) / steps, 2)
    return result
