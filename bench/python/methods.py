"""The PyTorch side of `AlignLab.Bench method-throughput`: the same work as our FIGA step and PPO step, written with
transformers' models (shapes.py) and plain PyTorch, for a side-by-side comparison in one session on one GPU.

- FIGA step: 16 micro-batches of 8 pairs (16 sequences) of a fixed length, a per-token weighted cross-entropy
  (weights in [-1, 1], as FIGA's rewarded and penalised tokens), backward, one AdamW step.
- PPO rollout: 16 prompts, 300 sampled tokens each (PPO's default max_new_tokens), with HF `generate` (KV cache,
  temperature 1, no top-k).
- PPO scoring: policy with value head and frozen reference over the 16 rollouts.
- PPO update: 2 epochs (PPO's default) of minibatches of 4 rollouts, clipped surrogate plus clipped value loss, AdamW.
Our side works on the demo data's real lengths; here every sequence has the fixed length given, so compare
tokens/s and MFU, not seconds per step.

The precision is the methods' default unless given: on CUDA bf16-mixed, here as Hugging Face Trainer's `--bf16 True`
does it (fp32 weights and AdamW, bf16 autocast around the forward passes and generation), fp32 on the CPU; `bf16` is
pure bf16 (weights and AdamW in bf16, as our `bf16`). The matmul peak is measured in the compute dtype.

Usage: python3 bench/python/methods.py [cpu|cuda] [demo|gpt2-small|qwen2.5-1.5b] [steps=10] [length=64] [auto|fp32|bf16|bf16-mixed]
"""
import sys
import time

import torch
import torch.nn.functional as F

from shapes import config_of, model_of

WARM_UP = 2
AUTOCAST = False  # bf16-mixed: bf16 autocast around forward passes and generation, fp32 weights


def compute(device):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=AUTOCAST)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_peak(device, dtype):
    best = 0.0
    for n in ([1024, 2048, 4096, 8192] if device.type == "cuda" else [256, 512, 1024, 2048]):
        a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
        for _ in range(3):
            a @ b
        repeats = max(5, int((4e13 if device.type == "cuda" else 4e10) / (2.0 * n ** 3)))
        sync(device)
        start = time.perf_counter()
        for _ in range(repeats):
            a @ b
        sync(device)
        best = max(best, repeats * 2.0 * n ** 3 / (time.perf_counter() - start))
    return best


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def timed(device, work, steps):
    """Seconds of each call of work() after the warm-up calls."""
    times = []
    for i in range(steps + WARM_UP):
        sync(device)
        start = time.perf_counter()
        work()
        sync(device)
        if i >= WARM_UP:
            times.append(time.perf_counter() - start)
    return times


def figa_step(device, dtype, config, length, steps, peak, parameters):
    torch.manual_seed(0)
    model = model_of(config, dtype).to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
    micro_batches, rows = 16, 16
    ids = torch.randint(0, config.vocab_size, (micro_batches, rows, length), device=device)
    weights = torch.rand(micro_batches, rows, length - 1, device=device) * 2 - 1

    def step():
        for m in range(micro_batches):
            with compute(device):
                logits = model(ids[m]).logits[:, :-1].float()
            nll = F.cross_entropy(logits.reshape(-1, logits.size(-1)), ids[m, :, 1:].reshape(-1), reduction="none")
            loss = (nll.view(rows, -1) * weights[m]).mean() / micro_batches
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    seconds = median(timed(device, step, steps))
    rate = micro_batches * rows * length / seconds
    peak_memory = torch.cuda.max_memory_allocated(device) / 2 ** 20 if device.type == "cuda" else float("nan")
    print(f"FIGA step (16 × 8 pairs = 256 sequences of {length} tokens, forward + backward + AdamW): {rate:,.0f} tokens/s, "
          f"{seconds:.2f} s/step, MFU {rate * 6 * parameters / peak:.1%}, peak allocated {peak_memory:,.0f} MiB")
    del model, optimizer


class PolicyWithValue(torch.nn.Module):
    def __init__(self, config, dtype):
        super().__init__()
        self.lm = model_of(config, dtype)
        self.value = torch.nn.Linear(config.hidden_size, 1, dtype=dtype)

    def forward(self, ids, mask):
        out = self.lm(ids, attention_mask=mask, output_hidden_states=True)
        return out.logits, self.value(out.hidden_states[-1]).squeeze(-1)


def token_logprobs(logits, ids):
    return torch.log_softmax(logits[:, :-1].float(), -1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def ppo_step(device, dtype, config, steps, peak, parameters):
    torch.manual_seed(0)
    policy = PolicyWithValue(config, dtype).to(device)
    reference = model_of(config, dtype).to(device).eval()
    reference.load_state_dict(policy.lm.state_dict())
    optimizer = torch.optim.AdamW(policy.parameters(), lr=1e-5)
    rollouts, prompt_length, new_tokens, mini_batch, epochs = 16, 24, 300, 4, 2
    prompts = torch.randint(0, config.vocab_size, (rollouts, prompt_length), device=device)
    timings = {"rollout": [], "update": [], "step": []}

    for i in range(steps + WARM_UP):
        sync(device)
        start = time.perf_counter()
        policy.eval()
        with torch.no_grad(), compute(device):
            sequences = policy.lm.generate(prompts, attention_mask=torch.ones_like(prompts), do_sample=True, temperature=1.0, top_k=0,
                                           max_new_tokens=new_tokens, min_new_tokens=new_tokens, pad_token_id=0)
            sync(device)
            rollout_end = time.perf_counter()
            mask = torch.ones_like(sequences)
            logits, values = policy(sequences, mask)
            old = token_logprobs(logits, sequences)[:, prompt_length - 1:]
            ref = token_logprobs(reference(sequences, attention_mask=mask).logits, sequences)[:, prompt_length - 1:]
            old_values = values[:, prompt_length - 1:-1]
            old_values = old_values.float()
            rewards = -0.05 * (old - ref)
            rewards[:, -1] += torch.randn(rollouts, device=device)
            advantages, last = torch.zeros_like(rewards), torch.zeros(rollouts, device=device)
            for t in reversed(range(new_tokens)):
                next_value = old_values[:, t + 1] if t + 1 < new_tokens else torch.zeros(rollouts, device=device)
                delta = rewards[:, t] + next_value - old_values[:, t]
                last = delta + 0.95 * last
                advantages[:, t] = last
            returns = advantages + old_values
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        sync(device)
        update_start = time.perf_counter()
        policy.train()
        for _ in range(epochs):
            for batch in torch.randperm(rollouts, device=device).split(mini_batch):
                with compute(device):
                    logits, values = policy(sequences[batch], mask[batch])
                new = token_logprobs(logits, sequences[batch])[:, prompt_length - 1:]
                ratio = torch.exp(new - old[batch])
                surrogate = torch.max(-advantages[batch] * ratio, -advantages[batch] * ratio.clamp(0.8, 1.2)).mean()
                v = values[:, prompt_length - 1:-1].float()
                clipped = old_values[batch] + (v - old_values[batch]).clamp(-0.2, 0.2)
                value_loss = 0.5 * torch.max((v - returns[batch]) ** 2, (clipped - returns[batch]) ** 2).mean()
                (surrogate + 0.1 * value_loss).backward()
                torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
        sync(device)
        end = time.perf_counter()
        if i >= WARM_UP:
            timings["rollout"].append(rollout_end - start)
            timings["update"].append(end - update_start)
            timings["step"].append(end - start)

    generated = rollouts * new_tokens
    rollout_rate = generated / median(timings["rollout"])
    update_rate = epochs * rollouts * (prompt_length + new_tokens) / median(timings["update"])
    peak_memory = torch.cuda.max_memory_allocated(device) / 2 ** 20 if device.type == "cuda" else float("nan")
    print(f"PPO rollout (HF generate, 16 × {new_tokens} sampled tokens, KV cache): {rollout_rate:,.0f} generated tokens/s, "
          f"MFU {rollout_rate * 2 * parameters / peak:.1%}")
    print(f"PPO update ({epochs} epochs × minibatches of {mini_batch}, policy + value head): {update_rate:,.0f} tokens/s, "
          f"MFU {update_rate * 6 * parameters / peak:.1%}")
    print(f"PPO whole step: {median(timings['step']):.2f} s/step, {generated / median(timings['step']):,.0f} generated tokens/s; "
          f"peak allocated {peak_memory:,.0f} MiB")


def rollout_only(device, dtype, config, batch, steps=3):
    """HF generate alone at a larger rollout batch (as our `Rollout, current path, 256 prompts` line)."""
    torch.manual_seed(0)
    model = model_of(config, dtype).to(device).eval()
    prompts = torch.randint(0, config.vocab_size, (batch, 24), device=device)
    with torch.no_grad(), compute(device):
        seconds = median(timed(device, lambda: model.generate(prompts, attention_mask=torch.ones_like(prompts), do_sample=True, temperature=1.0,
                                                               top_k=0, max_new_tokens=32, min_new_tokens=32, pad_token_id=0), steps))
    print(f"HF generate alone, {batch} prompts × 32 sampled tokens: {batch * 32 / seconds:,.0f} generated tokens/s")
    del model


def main():
    device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
    shape = sys.argv[2] if len(sys.argv) > 2 else "demo"
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    length = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    precision = sys.argv[5] if len(sys.argv) > 5 else "auto"
    if precision == "auto":
        precision = "bf16-mixed" if device.type == "cuda" else "fp32"
    global AUTOCAST
    AUTOCAST = precision == "bf16-mixed"
    compute = torch.float32 if precision == "fp32" else torch.bfloat16
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32       # the weights'
    peak_dtype = compute
    torch.backends.cuda.matmul.allow_tf32 = False
    config = config_of(shape)
    peak = matmul_peak(device, peak_dtype)
    try:
        with torch.device("meta"):
            parameters = sum(p.numel() for p in model_of(config, dtype).parameters())
    except Exception:  # an older torch without the meta device context
        parameters = sum(p.numel() for p in model_of(config, dtype).parameters())
    print(f"device {device}, torch {torch.__version__}" + (f", {torch.cuda.get_device_name(0)}" if device.type == "cuda" else "")
          + f"; precision {precision}; matmul {peak_dtype} peak {peak / 1e9:,.1f} GFLOP/s; model {shape}, {parameters / 1e6:.2f} M parameters")
    figa_step(device, dtype, config, length, steps, peak, parameters)
    if device.type == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
    ppo_step(device, dtype, config, steps, peak, parameters)
    rollout_only(device, dtype, config, 256)


if __name__ == "__main__":
    main()
