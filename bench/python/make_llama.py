"""Writes a randomly initialised Llama in Hugging Face layout (bf16 safetensors, sharded) for GPU memory benchmarks.
No hub is reachable, so the tokenizer files come from a local folder (AlignLab's demo model); its EOS id is used.
Usage: python3 make_llama.py <out> <tokenizer folder> [7b|1b]"""
import json, os, shutil, sys, time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

out, tokenizer, size = sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) > 3 else "7b")
shapes = {"7b": dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32),
          "1b": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=22, num_attention_heads=32)}
eos = json.load(open(os.path.join(tokenizer, "config.json")))["eos_token_id"]
config = LlamaConfig(vocab_size=32000, max_position_embeddings=2048, rms_norm_eps=1e-5, bos_token_id=eos, eos_token_id=eos,
                     tie_word_embeddings=False, torch_dtype="bfloat16", **shapes[size])
start = time.time()
torch.manual_seed(0)
torch.set_default_dtype(torch.bfloat16)
with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
    model = LlamaForCausalLM(config)
model.save_pretrained(out, safe_serialization=True, max_shard_size="5GB")
for name in ("vocab.json", "merges.txt", "tokenizer_config.json"):
    shutil.copy(os.path.join(tokenizer, name), os.path.join(out, name))
params = sum(p.numel() for p in model.parameters())
print(f"llama {size}: {params / 1e9:.2f} B parameters written to {out} in {time.time() - start:.0f} s")
