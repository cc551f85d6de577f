"""The model shapes of the GPU benchmarks, as transformers configs: the same as `AlignLab.Bench`'s BenchShapes
(demo, gpt2-small, qwen2.5-1.5b), with a 1024-token vocabulary standing in for the demo tokenizer's."""
from transformers import AutoModelForCausalLM, GPT2Config, Qwen2Config

NAMES = ["demo", "gpt2-small", "qwen2.5-1.5b"]


def config_of(shape):
    if shape == "demo":
        return GPT2Config(vocab_size=1024, n_positions=256, n_embd=128, n_layer=4, n_head=4, resid_pdrop=0, embd_pdrop=0, attn_pdrop=0,
                          bos_token_id=0, eos_token_id=0)
    if shape == "gpt2-small":
        return GPT2Config(vocab_size=1024, n_positions=1024, resid_pdrop=0, embd_pdrop=0, attn_pdrop=0, bos_token_id=0, eos_token_id=0)
    if shape == "qwen2.5-1.5b":
        return Qwen2Config(vocab_size=1024, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                           num_key_value_heads=2, max_position_embeddings=2048, rms_norm_eps=1e-6, rope_theta=1e6,
                           tie_word_embeddings=True, bos_token_id=0, eos_token_id=0)
    raise SystemExit(f"shape '{shape}' is not one of {', '.join(NAMES)}")


def model_of(config, dtype):
    return AutoModelForCausalLM.from_config(config, torch_dtype=dtype)
