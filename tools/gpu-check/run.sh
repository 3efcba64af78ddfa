#!/usr/bin/env bash
# Runs, from the folder that bundle.sh built, the GPU checks in order of importance, each phase
# timed and each command under a timeout, all within one budget (GPU_CHECK_BUDGET_S, default 540
# seconds: a later phase is skipped, saying so, when the budget is spent), and prints one JSON
# report (report.py):
#   1. tests: the CUDA tests of the runtime and the compiler;
#   2. bench: `dnnc bench --device cuda --synthetic 60000` for mlp and cnn at batch 64 and resnet
#      at batch 256, and the PyTorch peer on the same synthetic images at the same batches;
#   3. examples: FashionMlp, FashionCnn and FashionGru trained by `dnnc run` on the bundled
#      Fashion-MNIST subset on the CPU and on the GPU (same seed, same epochs), and the GPU run's
#      checkpoint evaluated on the CPU by `dnnc predict`;
#   4. nsys: where Nsight Systems is installed, the three bench runs again (6,400 images) under
#      `nsys profile`, for the share of the training loop's time spent in kernels.
# Exit status 1 when a test failed, or where CUDA is present, when a bench run or an example failed.
# On the GPU machine: `tar xzf gpu-check.tgz && gpu-check/run.sh`; `--memcheck` runs the tests
# under compute-sanitizer's memcheck and nothing else (its slowdown would distort every figure).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# The CUDA libraries of the Python wheels (PyTorch's), which are not on the linker's path.
if nv=$(python3 -c "import nvidia; print(list(nvidia.__path__)[0])" 2>/dev/null); then
    for d in "$nv"/*/lib; do
        LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"
    done
fi
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}:/usr/local/cuda/lib64"
cp="$here/test-classes:$(ls "$here"/lib/*.jar | paste -sd:)"
# dnnc.repoRoot: a folder whose sibling shared/golden holds the bundled PyTorch cases.
java=("$here/jre/bin/java" -Ddnnc.kernelCache="$here/kernel-cache" -Ddnnc.repoRoot="$here/repository" -cp "$cp")
dnnc=("${java[@]}" org.dnnc.tools.Main)
threads=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
budget=${GPU_CHECK_BUDGET_S:-540}
started=$(date +%s)

# phase NAME: from here on, steps belong to phase NAME (report.py times each phase from these marks).
phase() {
    echo "$1 $(date +%s.%N)" >> "$work/phases"
}

# step NAME CAP_S COMMAND...: runs COMMAND with its output in NAME.out and NAME.err, its exit status
# in NAME.rc (124 or 137: timed out) and its seconds and limit in NAME.time. The limit is CAP_S or
# what is left of the budget; with under 15 seconds left the step is skipped (NAME.skipped).
step() {
    local name=$1 cap=$2
    shift 2
    local left=$((started + budget - $(date +%s)))
    if [ "$left" -lt 15 ]; then
        echo "the budget of ${budget}s was spent" > "$work/$name.skipped"
        return 1
    fi
    local limit=$((cap < left ? cap : left))
    local t0
    t0=$(date +%s.%N)
    timeout --kill-after=10 "$limit" "$@" > "$work/$name.out" 2> "$work/$name.err"
    local rc=$?
    echo "$rc" > "$work/$name.rc"
    echo "$t0 $(date +%s.%N) $limit" > "$work/$name.time"
    return "$rc"
}

phase tests
tests=("${java[@]}" -Ddnnc.cudaTestClasses="$here/test-networks" org.dnnc.runtime.cuda.GpuCheckMain
    org.dnnc.runtime.cuda org.dnnc.compiler.codegen.GeneratedCudaTrainingTest
    org.dnnc.compiler.codegen.GoldenStepsOnDevicesTest)
if [ "${1:-}" = "--memcheck" ]; then
    # The sanitizer's findings go to their own file: the tests' report is standard output.
    step tests "$budget" compute-sanitizer --tool memcheck --target-processes all --log-file "$work/memcheck.log" \
        "${tests[@]}"
else
    step tests 240 "${tests[@]}"

    phase bench
    # bench finds its networks under the bundle and loads their classes from bench-classes. The
    # issue's figures: the MLP and the CNN at their .dnn's batch, 64; the ResNet at 256.
    for run in "mlp 64" "cnn 64" "resnet 256"; do
        read -r model batch <<< "$run"
        step "dnnc-$model" 90 "${dnnc[@]}" bench --model "$model" --device cuda --synthetic 60000 --batch "$batch" \
            --classes bench-classes
    done
    if [ -f bench/pytorch_fmnist.py ]; then
        # The same batches as dnnc's runs above.
        for run in "mlp,cnn 64" "resnet 256"; do
            read -r models batch <<< "$run"
            step "pytorch-${models/,/-}" 150 python3 bench/pytorch_fmnist.py --device cuda --synthetic 60000 \
                --models "$models" --batch "$batch"
        done
    fi

    phase examples
    # Each example on the CPU and on the GPU, the same seed (its train section's) and epochs, then
    # the GPU's checkpoint on the CPU. Epochs: what the CPU trains in well under a minute (on 16
    # cores); GPU_CHECK_EXAMPLE_EPOCHS sets them all, e.g. to 1 on a small machine without a GPU.
    data="$here/data/fashion-mnist-subset"
    for run in "FashionMlp fashion-mlp 5" "FashionCnn fashion-cnn 2" "FashionGru fashion-gru 2"; do
        read -r name folder epochs <<< "$run"
        epochs=${GPU_CHECK_EXAMPLE_EPOCHS:-$epochs}
        dnn="examples/$folder/src/main/dnn/$name.dnn"
        echo "$epochs" > "$work/example-$name.epochs"
        # --no-warm-up: the device's minutes are few, and these steps check results, not epoch timings.
        step "example-$name-cpu" 90 "${dnnc[@]}" run "$dnn" --data "$data" --epochs "$epochs" --threads "$threads" \
            --classes example-classes --no-warm-up
        step "example-$name-cuda" 90 "${dnnc[@]}" run "$dnn" --data "$data" --epochs "$epochs" --threads "$threads" \
            --classes example-classes --device cuda --save "$work/$name-cuda.safetensors" --no-warm-up
        if [ -f "$work/$name-cuda.safetensors" ]; then
            step "example-$name-checkpoint" 60 "${dnnc[@]}" predict "$dnn" --data "$data" --threads "$threads" \
                --classes example-classes --weights "$work/$name-cuda.safetensors"
        fi
    done

    phase nsys
    nsys=$(command -v nsys || ls /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems*/bin/nsys \
        /usr/local/cuda/nsight-systems*/bin/nsys 2>/dev/null | head -n 1)
    if [ -z "$nsys" ]; then
        echo "not measured: no nsys (not in PATH, /usr/local/cuda/bin or /opt/nvidia/nsight-systems*/bin)" \
            > "$work/nsys.absent"
    else
        echo "$nsys" > "$work/nsys.path"
        "$nsys" --version > "$work/nsys.version" 2>&1
        # 6,400 images: 100 steps at batch 64, 25 at 256. Graphs traced by node, to see their kernels;
        # no CPU sampling, which only slows the run.
        for run in "mlp 64" "cnn 64" "resnet 256"; do
            read -r model batch <<< "$run"
            step "nsys-$model" 120 "$nsys" profile --trace=cuda --cuda-graph-trace=node --sample=none --cpuctxsw=none \
                --force-overwrite=true \
                --output="$work/nsys-$model" "${dnnc[@]}" bench --model "$model" --device cuda --synthetic 6400 \
                --batch "$batch" --classes bench-classes || continue
            # .nsys-rep since Nsight Systems 2021.4, .qdrep before.
            rep=$(ls "$work/nsys-$model.nsys-rep" "$work/nsys-$model.qdrep" 2>/dev/null | head -n 1)
            # The reports' names since Nsight Systems 2023, and before.
            for report in "gpu-trace cuda_gpu_trace gputrace" "api-trace cuda_api_trace cudaapitrace"; do
                read -r kind current older <<< "$report"
                step "nsys-$model-$kind" 90 "$nsys" stats --format=csv --report="$current" "$rep" \
                    || step "nsys-$model-$kind" 90 "$nsys" stats --format=csv --report="$older" "$rep"
            done
        done
    fi
fi
phase end
python3 "$here/report.py" "$work" "$here/../gpu-check.tgz" "$budget"
