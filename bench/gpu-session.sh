#!/usr/bin/env bash
# A GPU session's measurements, on a machine with PyTorch + transformers (vLLM if installed) and no .NET. Parts:
#   parity     our models' logits against transformers (folders written by `AlignLab.Bench parity`)
#   engine     the plain training step, PyTorch (bench/python/engine.py) and ours, demo and GPT-2 small
#   retriever  the BERT retriever against transformers
#   methods    FIGA step, PPO rollout (old and new generation path, and 256 prompts), update and whole step, with MFU
#              in the methods' default precision (bf16-mixed on CUDA: bf16 compute, fp32 master weights; PyTorch's side
#              uses autocast, as HF Trainer does), and the same work in PyTorch with HF generate, GPT-2 small
#   system     system metrics through NVML, and each method's sampled GPU peak against its memory estimate (SFT, FIGA, PPO with
#              share_prefixes off, as the estimate counts; then FIGA with shared prefixes)
#   optimizer  clipping + AdamW per parameter (TorchSharp) against one flat buffer and libtorch's fused kernel (fused_adamw)
#   oom        CUDA out of memory in a run and in autograd's thread, then a run that completes in the same process
#   large      `methods` at Qwen2.5-1.5B's shape (1.31 B), ours then PyTorch's
#   vllm       the rollout through vLLM at GPT-2 small and Qwen2.5-1.5B, 16 and 256 prompts (says so if not importable)
# A device call runs at most 10 minutes, so one session is two calls (defaults: the first without `large vllm`):
#   bench/gpu-session.sh .gpu/parity .gpu/bench.tar.xz .gpu/out methods system optimizer oom     # about 6–7 minutes
#   bench/gpu-session.sh .gpu/parity .gpu/bench.tar.xz .gpu/out large vllm                       # about 6–7 minutes (FIGA now runs at 1, 2 and 4 micro-batches per pass)
# Parts not named run only with `all` (parity, engine and retriever were recorded on 2026-11-22/23).
# Preparing the inputs (on the development machine):
#   dotnet run -c Release --project bench/AlignLab.Bench -- parity .gpu/parity
#   dotnet publish bench/AlignLab.Bench -c Release -r linux-x64 --self-contained -p:TorchSharpBackend=system -o /tmp/gpupub
#   tar -cJf .gpu/bench.tar.xz -C /tmp gpupub
set -u
parity=$1 publish=$2 out=$3
shift 3
parts=" ${*:-methods system optimizer oom} "
[[ $parts == " all " ]] && parts=" parity engine retriever methods system optimizer oom large vllm "
has() { [[ $parts == *" $1 "* ]]; }
mkdir -p "$out"
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$out/machine.txt"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' | tee -a "$out/machine.txt"
python3 -c 'import vllm; print("vllm", vllm.__version__)' 2>/dev/null | tee -a "$out/machine.txt"
echo "parts:$parts" | tee -a "$out/machine.txt"

mkdir -p /tmp/alignlab && [ -d /tmp/alignlab/gpupub ] || tar -xJf "$publish" -C /tmp/alignlab
torch_lib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export LD_LIBRARY_PATH=$torch_lib DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
bench=$(ls -d /tmp/alignlab/*/AlignLab.Bench)
python=bench/python

# libtorch's fused AdamW kernel (every method's optimizer, fused_adamw) has not run on a GPU before this session: a short
# probe first, and if it does not complete, the method runs take TorchSharp's AdamW (fused_adamw off) and say so.
if has methods || has system || has large; then
  echo "== Probe: the fused AdamW kernel on CUDA (demo model)"
  timeout 90 "$bench" optimizer cuda demo 2>&1 | tee "$out/fused-adamw-probe.txt"
  if ! grep -q "clip + fused kernel" "$out/fused-adamw-probe.txt"; then
    export ALIGNLAB_BENCH_FUSED_ADAMW=false
    echo "the fused AdamW kernel did not complete on CUDA: the method runs use fused_adamw off" | tee -a "$out/machine.txt"
  fi
fi

if has parity; then
  echo "== parity"
  python3 $python/parity.py "$parity" "$out/parity.json" 2>&1 | grep -v Warning | tee "$out/parity.txt"
fi

if has engine; then
  echo "== engine: PyTorch, then AlignLab (TorchSharp, libtorch from PyTorch)"
  for shape in demo gpt2-small; do python3 $python/engine.py cuda $shape 2>&1 | tee -a "$out/engine-pytorch.txt"; done
  for shape in demo gpt2-small; do timeout 240 "$bench" engine cuda $shape 2>&1 | tee -a "$out/engine-alignlab.txt"; done
fi

if has retriever; then
  echo "== Retriever parity (BERT encoder, WordPiece, mean pooling; needs ICU, so not globalization-invariant)"
  for device in cpu cuda; do
    env -u DOTNET_SYSTEM_GLOBALIZATION_INVARIANT python3 $python/retriever_parity.py "/tmp/retriever-$device" "$bench" $device 2>&1 | grep -v -i warn | tee -a "$out/retriever-parity.txt"
  done
fi

methods() {  # ours, then PyTorch's, at one shape and number of steps: the ratio is between two runs of one session on one device
  timeout 300 "$bench" method-throughput cuda "$2" "$1" 2>&1 | tee -a "$out/method-throughput.txt"
  timeout 180 python3 $python/methods.py cuda "$1" "$2" 2>&1 | grep -v -i warn | tee -a "$out/method-throughput-pytorch.txt"
}

if has methods; then echo "== Methods at GPT-2 small, ours then PyTorch's"; methods gpt2-small 10; fi

if has system; then
  echo "== System metrics on CUDA; each method's sampled GPU peak against its memory estimate (SFT, FIGA, PPO)"
  timeout 180 "$bench" system-metrics cuda gpt2-small 2>&1 | tee "$out/system-metrics.txt"
fi

if has optimizer; then
  echo "== Optimizer step: per parameter against one flat buffer"
  for shape in gpt2-small qwen2.5-1.5b; do timeout 150 "$bench" optimizer cuda $shape 2>&1 | tee -a "$out/optimizer.txt"; done
fi

if has oom; then
  echo "== CUDA out of memory: in a run, in autograd's thread, then a run in the same process"
  timeout 120 "$bench" out-of-memory cuda gpt2-small 2>&1 | tee "$out/out-of-memory.txt"
  echo "exit code: ${PIPESTATUS[0]}" | tee -a "$out/out-of-memory.txt"
fi

if has large; then echo "== Methods at Qwen2.5-1.5B's shape, ours then PyTorch's"; methods qwen2.5-1.5b 4; fi

if has vllm; then
  echo "== vLLM rollouts"
  for shape in gpt2-small qwen2.5-1.5b; do timeout 150 python3 $python/vllm_rollout.py $shape 2>&1 | grep -v -i -E "warn|^INFO" | tee -a "$out/vllm.txt"; done
fi
