#!/usr/bin/env bash
# Runs, from the folder that bundle.sh built, the CUDA tests of the runtime and the compiler, then
# `dnnc bench --device cuda --synthetic 60000` for mlp and cnn at batch 64 and resnet at batch 256
# (`--batch`), and the PyTorch peer on the same synthetic images at the same batches, and prints
# one JSON report (report.py). Exit status 1 when a test failed or a bench run failed on a machine
# where CUDA is present. On the GPU machine:
# `tar xzf gpu-check.tgz && gpu-check/run.sh`; `--memcheck` runs the tests under compute-sanitizer's
# memcheck (and skips the benchmarks, whose figures it would distort).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tests=("${java[@]}" -Ddnnc.cudaTestClasses="$here/test-networks" org.dnnc.runtime.cuda.GpuCheckMain
    org.dnnc.runtime.cuda org.dnnc.compiler.codegen.GeneratedCudaTrainingTest)
if [ "${1:-}" = "--memcheck" ]; then
    tests=(compute-sanitizer --tool memcheck --target-processes all "${tests[@]}")
fi
"${tests[@]}" > "$work/tests.json" 2> "$work/tests.err"
echo "$?" > "$work/tests.rc"
if [ "${1:-}" != "--memcheck" ]; then
    # bench finds its networks under the bundle and loads their classes from bench-classes. The
    # issue's figures: the MLP and the CNN at their .dnn's batch, 64; the ResNet at 256.
    for run in "mlp 64" "cnn 64" "resnet 256"; do
        read -r model batch <<< "$run"
        (cd "$here" && "${java[@]}" org.dnnc.tools.Main bench --model "$model" --device cuda --synthetic 60000 \
            --batch "$batch" --classes bench-classes) > "$work/dnnc-$model.out" 2> "$work/dnnc-$model.err"
        echo "$?" > "$work/dnnc-$model.rc"
    done
    if [ -f "$here/bench/pytorch_fmnist.py" ]; then
        # The same batches as dnnc's runs above.
        for run in "mlp,cnn 64" "resnet 256"; do
            read -r models batch <<< "$run"
            python3 "$here/bench/pytorch_fmnist.py" --device cuda --synthetic 60000 --models "$models" --batch "$batch" \
                >> "$work/pytorch.out" 2>> "$work/pytorch.err"
            echo "$?" >> "$work/pytorch.rc"
        done
    fi
fi
python3 "$here/report.py" "$work" "$here/../gpu-check.tgz"
