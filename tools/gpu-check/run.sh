#!/usr/bin/env bash
# Runs the CUDA runtime's tests from the folder that bundle.sh built and prints their JSON report
# (exit status 1 when a test failed). On the GPU machine: `tar xzf gpu-check.tgz && gpu-check/run.sh`,
# or `gpu-check/run.sh --memcheck` to run them under compute-sanitizer's memcheck.
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
cmd=("$here/jre/bin/java" -Ddnnc.kernelCache="$here/kernel-cache" -cp "$cp" org.dnnc.runtime.cuda.GpuCheckMain)
if [ "${1:-}" = "--memcheck" ]; then
    cmd=(compute-sanitizer --tool memcheck --target-processes all "${cmd[@]}")
fi
exec "${cmd[@]}"
