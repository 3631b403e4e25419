#!/usr/bin/env bash
# The GPU figures in one command: the whole test suite and the benchmark table on ND4J's CUDA backend.
#
#   scripts/cuda-check.sh [--out DIR] [--data FASHION_MNIST_DIR] [--redist]
#
# Needs JDK 17, Maven, an NVIDIA GPU with its driver, and CUDA 11.6 with cuDNN 8.3 (ND4J 1.0.0-M2.1's newest CUDA
# backend), or --redist, which adds JavaCPP's redistributable CUDA libraries (a 1.8 GB download) instead.
# Writes into DIR (default cuda-results): gpu.txt (nvidia-smi), tests.log (mvn -Dcuda verify), bench-cuda.md (the
# benchmark runner's rows 1-4, 7 and 9: Bayesian and plain DL4J steps measured in the same run on the GPU) and, with
# --data, fashion.log (one epoch of the Fashion-MNIST CNN, whose log gives the epoch time).
set -euo pipefail
cd "$(dirname "$0")/.."
out=cuda-results
data=
profiles=-Dcuda
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --redist) profiles="-Dcuda -Pcuda-redist"; shift ;;
    *) echo "unknown option $1 (options: --out DIR, --data FASHION_MNIST_DIR, --redist)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
nvidia-smi > "$out/gpu.txt"
# the suite runs unchanged: on CUDA the layers choose ND4J's kernel and noise (HostLoops) by themselves
set +e
mvn -B $profiles verify 2>&1 | tee "$out/tests.log"
tests=${PIPESTATUS[0]}
set -e
mvn -B -q $profiles package -DskipTests
jar=examples/target/dl4j-bayes-examples.jar
java -Xmx4g -jar bench/target/dl4j-bayes-bench.jar --rows 1,2,3,4,7,9 --rounds 7 --steps 50 --out "$out/bench-cuda.md"
if [ -n "$data" ]; then
  java -Xmx4g -jar "$jar" fashion --data "$data" --epochs 1 --out "$out/fashion" 2>&1 | tee "$out/fashion.log"
fi
echo "tests: exit code $tests (log: $out/tests.log); table: $out/bench-cuda.md"
exit "$tests"
