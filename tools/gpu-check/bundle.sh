#!/usr/bin/env bash
# Builds device/gpu-check.tgz (and the folder device/gpu-check) for a GPU machine that has no Java,
# no Maven and no data set: the CUDA tests of the runtime and of the compiler with their class
# path (linux-x86_64 natives only), the compiler's test networks and dnnc bench's networks
# compiled here (the jlink'd Java runtime has no compiler), the bench networks' and the examples'
# sources, the examples' classes for the CPU and the GPU, the Fashion-MNIST subset, the PyTorch peer,
# run.sh and report.py. Run it from anywhere on a development machine; set MAVEN_REPO_LOCAL to
# use another local Maven repository. See README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=device/gpu-check
rm -rf "$out" device/gpu-check.tgz
mkdir -p "$out/lib"
repo=()
if [ -n "${MAVEN_REPO_LOCAL:-}" ]; then repo=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL"); fi
modules=(kernels runtime grammar compiler tools)
# Each module writes its own list (a relative outputFile is the module's): their union is the class path.
./mvnw -o -B -q "${repo[@]}" -pl "$(IFS=,; echo "${modules[*]}")" -DskipTests package \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-check-classpath.txt
# The GPU machine is linux-x86_64: the natives of other platforms stay behind (about 60 MB). So do
# oneDNN's and OpenCL's (27 MB): the GPU checks run no CPU convolution through oneDNN, and the
# runtime falls back to its own algorithms where oneDNN's natives do not load.
for m in "${modules[@]}"; do tr ':' '\n' < "$m/target/gpu-check-classpath.txt"; echo; done \
    | grep -E '\.jar$' | sort -u \
    | grep -Ev -- '-((android|ios|macosx|windows)-[a-z0-9_]+|linux-(arm64|armhf|ppc64le|riscv64|x86))\.jar$' \
    | grep -Ev -- '/(dnnl|opencl)-[^/]*-linux-x86_64\.jar$' \
    | while read -r jar; do cp "$jar" "$out/lib/"; done
cp runtime/target/dnnc-runtime-*.jar compiler/target/dnnc-compiler-*[0-9T].jar tools/target/dnnc-tools-*[0-9T].jar \
    "$out/lib/"
# Of OpenBLAS's JNI libraries only openblas_nolapack's stays, the one Blas loads: the two builds
# with LAPACK (48 MB unpacked) are 7 MB of the archive that nothing loads. (CUDA's unused ones, NPP,
# cuSOLVER and the like, would save 4 MB more, but only a GPU machine could show that dropping them
# breaks nothing, so they stay.)
jar=$(ls "$out"/lib/openblas-*-linux-x86_64.jar)
unused=$(unzip -Z1 "$jar" | grep -E '/libjni[a-z_0-9]+\.so$' | grep -Ev '/libjniopenblas_nolapack\.so$' || true)
if [ -n "$unused" ]; then
    zip -q -d "$jar" $unused
fi
mkdir -p "$out/test-classes"
cp -r runtime/target/test-classes/. "$out/test-classes/"
# The compiler's test classes only, not its test resources (golden dumps the GPU tests do not read).
cp -r compiler/target/test-classes/org/. "$out/test-classes/org/"
cp="$root/$out/test-classes:$(ls "$root/$out"/lib/*.jar | paste -sd:)"
java -cp "$cp" org.dnnc.compiler.codegen.CudaTestNetworks "$out/test-networks"
# dnnc bench's networks, where bench finds them (it walks up from its folder), and their classes:
# bench compiles them into bench-classes and then stops here without a GPU, which is expected.
for f in examples/fashion-mlp/src/main/dnn/FashionMlp.dnn examples/fashion-cnn/src/main/dnn/FashionCnn.dnn \
    examples/fashion-resnet/src/main/dnn/FashionResnet.dnn examples/fashion-gru/src/main/dnn/FashionGru.dnn; do
    mkdir -p "$out/$(dirname "$f")"
    cp "$f" "$out/$f"
done
# The batches are run.sh's: a class is kept by its source, which --batch changes.
for run in "mlp 64" "cnn 64" "resnet 256"; do
    read -r model batch <<< "$run"
    (cd "$out" && java -cp "$cp" org.dnnc.tools.Main bench --model "$model" --device cuda --synthetic 1 --epochs 0 \
        --batch "$batch" --classes bench-classes >/dev/null 2>&1) || true
done
if [ "$(ls "$out/bench-classes" | wc -l)" -ne 3 ]; then
    echo "bench did not leave the classes of mlp, cnn and resnet in $out/bench-classes" >&2
    exit 1
fi
# The examples that run.sh trains with `dnnc run` on the CPU and on the GPU: their classes for both
# (dnnc predict, which evaluates the GPU's checkpoint on the CPU, finds the CPU's). run compiles,
# then stops here at the missing data (the CPU's) or at CUDA's absence (the GPU's), as expected.
for name in FashionMlp:fashion-mlp FashionCnn:fashion-cnn FashionGru:fashion-gru; do
    for device in cpu cuda; do
        (cd "$out" && java -cp "$cp" org.dnnc.tools.Main run "examples/${name#*:}/src/main/dnn/${name%%:*}.dnn" \
            --device "$device" --data no-data --classes example-classes >/dev/null 2>&1) || true
    done
done
if [ "$(ls "$out/example-classes" | wc -l)" -ne 6 ]; then
    echo "run did not leave the CPU and GPU classes of the three examples in $out/example-classes" >&2
    exit 1
fi
# The Fashion-MNIST subset the examples train on, with its README (the data set's licence).
mkdir -p "$out/data"
cp -r data/fashion-mnist-subset "$out/data/"
# The PyTorch cases the GPU tests read (LossesGpuTest, GoldenRecurrentGpuTest, and
# GoldenStepsOnDevicesTest's mlp_step and cnn_step), where run.sh points Golden.root() and the
# compiler tests' repository root.
mkdir -p "$out/shared/golden/cases"
for c in mse_loss bce_with_logits mlp_step cnn_step rnn_tanh lstm gru lstm_lengths gru_lengths gru_stack2 bilstm; do
    cp -r "../shared/golden/cases/$c" "$out/shared/golden/cases/"
done
# The PyTorch peer, from the project's shared folder (../shared/bench), where it is present.
mkdir -p "$out/bench"
if [ -f ../shared/bench/pytorch_fmnist.py ]; then
    cp ../shared/bench/pytorch_fmnist.py "$out/bench/"
else
    echo "no ../shared/bench/pytorch_fmnist.py: the report will have no PyTorch lines" >&2
fi
# java.compiler: the javax.lang.model API JavaPoet names (the compiler itself, jdk.compiler, stays out).
jlink --add-modules java.base,java.compiler,java.logging,java.management,java.xml,jdk.unsupported,jdk.zipfs \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/jre"
# report.py's reading of nsys stats, tested on sample reports first (no profile can be taken here).
(cd tools/gpu-check && python3 -m unittest -q test_nsys_stats)
cp tools/gpu-check/run.sh tools/gpu-check/report.py tools/gpu-check/nsys_stats.py "$out/"
tar -C device -czf device/gpu-check.tgz gpu-check
bytes=$(stat -c %s device/gpu-check.tgz)
echo "device/gpu-check.tgz: $bytes bytes ($((bytes / 1048576)) MiB)"
if [ "$bytes" -gt $((60 * 1048576)) ]; then
    echo "too large to carry to the GPU machine (64 MiB in all)" >&2
    exit 1
fi
