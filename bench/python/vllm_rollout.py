"""PPO's rollout through vLLM, beside `AlignLab.Bench method-throughput`'s (ours) and methods.py's (HF generate): the same
shape (shapes.py) with random weights in bf16, prompts of 24 random token ids, 32 sampled tokens each (temperature 1, no
top-k, EOS ignored), at PPO's rollout batch of 16 prompts and at 256. Prints generated tokens/s (medians of 5 runs after 2
warm-up runs). When vLLM cannot be imported, says so and exits 0, so that a session goes on.

Usage: python3 bench/python/vllm_rollout.py [demo|gpt2-small|qwen2.5-1.5b] [folder to write the model to]
"""
import sys
import time

WARM_UP, RUNS, PROMPT, NEW = 2, 5, 24, 32


def main():
    shape = sys.argv[1] if len(sys.argv) > 1 else "gpt2-small"
    folder = sys.argv[2] if len(sys.argv) > 2 else f"/tmp/vllm-{shape}"
    try:
        import vllm
        from vllm import LLM, SamplingParams
    except Exception as e:  # not installed, or built for another torch
        print(f"vLLM: not importable here ({type(e).__name__}: {e})")
        return
    import torch
    from shapes import config_of, model_of

    torch.manual_seed(0)
    config = config_of(shape)
    model_of(config, torch.bfloat16).save_pretrained(folder)
    llm = LLM(model=folder, skip_tokenizer_init=True, dtype="bfloat16", gpu_memory_utilization=0.35, seed=0,
              max_model_len=PROMPT + NEW + 8)
    sampling = SamplingParams(temperature=1.0, max_tokens=NEW, min_tokens=NEW, ignore_eos=True, detokenize=False)
    generator = torch.Generator().manual_seed(1)
    for batch in (16, 256):
        prompts = [{"prompt_token_ids": torch.randint(1, config.vocab_size, (PROMPT,), generator=generator).tolist()} for _ in range(batch)]
        times = []
        for i in range(WARM_UP + RUNS):
            start = time.perf_counter()
            outputs = llm.generate(prompts, sampling, use_tqdm=False)
            seconds = time.perf_counter() - start
            generated = sum(len(o.outputs[0].token_ids) for o in outputs)
            if i >= WARM_UP:
                times.append(seconds)
        median = sorted(times)[len(times) // 2]
        print(f"vLLM {vllm.__version__} rollout, {shape}, {batch} prompts × {NEW} sampled tokens: {generated / median:,.0f} generated tokens/s "
              f"({median * 1000:.0f} ms per batch)")


if __name__ == "__main__":
    main()
