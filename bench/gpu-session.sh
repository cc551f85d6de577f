#!/usr/bin/env bash
# One GPU session's measurements, run on a machine with PyTorch + transformers and no .NET:
#   1. parity of our models with transformers (folders written here by `AlignLab.Bench parity`),
#   2. the engine benchmark in PyTorch (bench/python/engine.py),
#   3. the same benchmark in AlignLab (a self-contained publish built with -p:TorchSharpBackend=system),
#      with libtorch taken from the PyTorch install,
#   4. the retriever's parity, the methods' throughput beside the same work in PyTorch (bench/python/methods.py),
#      and the system metrics with each method's GPU peak against its memory estimate.
# Usage: bench/gpu-session.sh <parity folder> <bench publish .tar.xz> <output folder>
# Preparing the inputs (on the development machine):
#   dotnet run -c Release --project bench/AlignLab.Bench -- parity .gpu/parity
#   dotnet publish bench/AlignLab.Bench -c Release -r linux-x64 --self-contained -p:TorchSharpBackend=system -o /tmp/gpupub
#   tar -cJf .gpu/bench.tar.xz -C /tmp gpupub
set -u
parity=$1 publish=$2 out=$3
mkdir -p "$out"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/machine.txt"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' | tee -a "$out/machine.txt"

echo "== parity"
python3 bench/python/parity.py "$parity" "$out/parity.json" 2>&1 | grep -v Warning | tee "$out/parity.txt"

echo "== PyTorch engine"
for shape in demo gpt2-small; do python3 bench/python/engine.py cuda $shape 2>&1 | tee -a "$out/engine-pytorch.txt"; done

echo "== AlignLab engine (TorchSharp, libtorch from PyTorch)"
mkdir -p /tmp/alignlab && tar -xJf "$publish" -C /tmp/alignlab
torch_lib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export LD_LIBRARY_PATH=$torch_lib DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
bench=$(ls -d /tmp/alignlab/*/AlignLab.Bench)
for shape in demo gpt2-small; do timeout 240 "$bench" engine cuda $shape 2>&1 | tee -a "$out/engine-alignlab.txt"; done

echo "== Retriever parity (BERT encoder, WordPiece, mean pooling; needs ICU, so not globalization-invariant)"
for device in cpu cuda; do
  env -u DOTNET_SYSTEM_GLOBALIZATION_INVARIANT python3 bench/python/retriever_parity.py "/tmp/retriever-$device" "$bench" $device 2>&1 | grep -v -i warn | tee -a "$out/retriever-parity.txt"
done

echo "== Methods: FIGA step, PPO rollout (old and new generation path side by side), update and whole step, with MFU;"
echo "   the same work in PyTorch with transformers (HF generate for the rollouts) right after, at each shape"
for shape in demo gpt2-small; do
  timeout 400 "$bench" method-throughput cuda 10 $shape 2>&1 | tee -a "$out/method-throughput.txt"
  timeout 300 python3 bench/python/methods.py cuda $shape 10 2>&1 | grep -v -i warn | tee -a "$out/method-throughput-pytorch.txt"
done

echo "== System metrics on CUDA (NVML: the process's GPU memory, its peak, the device's memory and utilisation),"
echo "   and each method's sampled GPU peak against the memory estimate submission records (SFT, FIGA, PPO)"
timeout 300 "$bench" system-metrics cuda gpt2-small 2>&1 | tee "$out/system-metrics.txt"
