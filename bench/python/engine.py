"""The PyTorch side of `AlignLab.Bench engine`: the same measurements with transformers' GPT-2, for a
side-by-side comparison in one run on one machine.

Usage: python3 bench/python/engine.py [cpu|cuda] [demo|gpt2-small]
"""
import sys
import time

import torch
import torch.nn.functional as F
from transformers import GPT2Config, GPT2LMHeadModel


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_rate(n, device):
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    for _ in range(3):
        a @ b
    work = 4e13 if device.type == "cuda" else 4e10
    repeats = max(5, int(work / (2.0 * n ** 3)))
    sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    sync(device)
    return repeats * 2.0 * n ** 3 / (time.perf_counter() - start)


def main():
    device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
    shape = sys.argv[2] if len(sys.argv) > 2 else "demo"
    torch.backends.cuda.matmul.allow_tf32 = False
    print(f"device {device}, torch {torch.__version__}, threads {torch.get_num_threads()}"
          + (f", {torch.cuda.get_device_name(0)}" if device.type == "cuda" else ""))
    sizes = [1024, 2048, 4096, 8192] if device.type == "cuda" else [256, 512, 1024, 2048]
    peaks = [(n, matmul_rate(n, device)) for n in sizes]
    peak = max(r for _, r in peaks)
    print("matmul fp32 GFLOP/s: " + ", ".join(f"{n}² {r / 1e9:.1f}" for n, r in peaks) + f"; peak used for MFU {peak / 1e9:.1f}")

    torch.manual_seed(0)
    if shape == "demo":
        config = GPT2Config(vocab_size=1024, n_positions=256, n_embd=128, n_layer=4, n_head=4,
                            resid_pdrop=0, embd_pdrop=0, attn_pdrop=0)
        batch, length = 16, 128
    else:
        config = GPT2Config(resid_pdrop=0, embd_pdrop=0, attn_pdrop=0)
        batch, length = 8, 512
    model = GPT2LMHeadModel(config).to(device)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"model: GPT-2 n_embd {config.n_embd}, n_layer {config.n_layer}, vocab {config.vocab_size}, "
          f"{parameters / 1e6:.2f} M parameters, attention {model.config._attn_implementation}")
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    ids = torch.randint(0, config.vocab_size, (batch, length), device=device)

    def step():
        sync(device)
        start = time.perf_counter()
        optimizer.zero_grad()
        logits = model(ids).logits
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, config.vocab_size), ids[:, 1:].reshape(-1))
        loss.backward()
        optimizer.step()
        sync(device)
        return time.perf_counter() - start

    for _ in range(3):
        step()
    seconds = sorted(step() for _ in range(10))
    median = seconds[len(seconds) // 2]
    tokens = batch * length
    flops_per_token = 6.0 * parameters + 12.0 * config.n_layer * length * config.n_embd
    rate = tokens / median
    print(f"forward+backward+AdamW, batch {batch}×{length}: {rate:,.0f} tokens/s (median of 10 steps, {median * 1000:.0f} ms/step), "
          f"{rate * flops_per_token / 1e9:.1f} GFLOP/s, MFU {rate * flops_per_token / peak:.1%}")

    model.eval()
    prompts = torch.stack([torch.arange(1 + i, 17 + i) for i in range(8)]).to(device)
    with torch.no_grad():
        model.generate(prompts, max_new_tokens=4, min_new_tokens=4, do_sample=False, pad_token_id=0)
        sync(device)
        start = time.perf_counter()
        out = model.generate(prompts, max_new_tokens=64, min_new_tokens=64, do_sample=False, pad_token_id=0)
        sync(device)
    generated = (out.shape[1] - prompts.shape[1]) * out.shape[0]
    print(f"generation, batch 8, 16-token prompts, 64 new tokens, KV cache, greedy: {generated / (time.perf_counter() - start):,.0f} tokens/s")


if __name__ == "__main__":
    main()
