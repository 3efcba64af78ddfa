#!/usr/bin/env bash
# Builds device/gpu-check.tgz (and the folder device/gpu-check): the tests of org.dnnc.runtime.cuda
# with their class path (linux-x86_64 natives only) and a jlink'd Java runtime, for a GPU machine
# that has no Java and no Maven. Run it from anywhere on a development machine; set
# MAVEN_REPO_LOCAL to use another local Maven repository. See README.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=device/gpu-check
rm -rf "$out" device/gpu-check.tgz
mkdir -p "$out/lib"
repo=()
if [ -n "${MAVEN_REPO_LOCAL:-}" ]; then repo=(-Dmaven.repo.local="$MAVEN_REPO_LOCAL"); fi
./mvnw -o -B -q "${repo[@]}" -pl kernels,runtime -DskipTests package \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$root/$out/classpath.txt"
# The GPU machine is linux-x86_64: the natives of other platforms stay behind (about 60 MB).
tr ':' '\n' < "$out/classpath.txt" \
    | grep -Ev -- '-((android|ios|macosx|windows)-[a-z0-9_]+|linux-(arm64|armhf|ppc64le|riscv64|x86))\.jar$' \
    | while read -r jar; do cp "$jar" "$out/lib/"; done
rm "$out/classpath.txt"
cp runtime/target/dnnc-runtime-*.jar "$out/lib/"
cp -r runtime/target/test-classes "$out/test-classes"
jlink --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.zipfs \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/jre"
cp tools/gpu-check/run.sh "$out/"
tar -C device -czf device/gpu-check.tgz gpu-check
bytes=$(stat -c %s device/gpu-check.tgz)
echo "device/gpu-check.tgz: $((bytes / 1048576)) MiB"
if [ "$bytes" -gt $((60 * 1048576)) ]; then
    echo "too large to carry to the GPU machine (64 MiB in all)" >&2
    exit 1
fi
