"""Numerical parity of AlignLab's models with Hugging Face transformers, Python half.

Usage: python3 bench/python/parity.py <folder written by `AlignLab.Bench parity <folder>`> [report.json]

Each sub-folder is a tiny random model in HF layout with reference.safetensors (our outputs). This loads the
folder with transformers (eager and sdpa attention, on the CPU and on CUDA when present), recomputes the
same outputs and prints the largest absolute difference per case. Exit status 1 when a case is off.
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

LOGIT_TOLERANCE = 1e-4


def positions(mask):
    # The positions AlignLab uses (and HF generation derives): count of real tokens before each, 0 on padding.
    return (mask.cumsum(-1) - 1).clamp(min=0)


def continuation(tokens, eos, length):
    out = []
    for t in tokens.tolist():
        out.append(t)
        if t == eos:
            break
    return out + [-1] * (length - len(out))


def check_causal(folder, ref, device, attention):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation=attention).to(device).eval()
    ids, mask = ref["input_ids"].to(device), ref["attention_mask"].to(device)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions(mask)).logits.cpu()
        real = ref["attention_mask"].bool()
        diff = (logits - ref["logits"]).abs()[real].max().item()
        eos = model.config.eos_token_id
        new = ref["generated"].shape[1]
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=new, do_sample=False,
                             pad_token_id=eos, eos_token_id=eos).cpu()[:, ids.shape[1]:]
    theirs = [continuation(row, eos, new) for row in out]
    ours = ref["generated"].tolist()
    return {"max_abs_logit_diff": diff, "logit_scale": ref["logits"][real].abs().max().item(),
            "greedy_equal": theirs == ours, "ours": ours, "theirs": theirs}


def check_classifier(folder, ref, device, attention):
    model = AutoModelForSequenceClassification.from_pretrained(folder, dtype=torch.float32, attn_implementation=attention).to(device).eval()
    ids, mask = ref["input_ids"].to(device), ref["attention_mask"].to(device)
    with torch.no_grad():
        pos = positions(mask)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits.cpu()
        hidden = model.base_model(input_ids=ids, attention_mask=mask, position_ids=pos).last_hidden_state
        scores = model.score(hidden).cpu()
    real = ref["attention_mask"].bool()
    return {"max_abs_logit_diff": (logits - ref["logits"]).abs().max().item(),
            "max_abs_score_diff": (scores - ref["scores"]).abs()[real].max().item(),
            "logit_scale": ref["logits"].abs().max().item()}


def main():
    root = sys.argv[1]
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    import transformers
    report = {"torch": torch.__version__, "transformers": transformers.__version__,
              "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, "cases": []}
    failed = False
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        ref_path = os.path.join(folder, "reference.safetensors")
        if not os.path.isfile(ref_path):
            continue
        ref = load_file(ref_path)
        classifier = "scores" in ref
        for device in devices:
            for attention in ("eager", "sdpa"):
                result = (check_classifier if classifier else check_causal)(folder, ref, device, attention)
                ok = result["max_abs_logit_diff"] < LOGIT_TOLERANCE and result.get("max_abs_score_diff", 0) < LOGIT_TOLERANCE \
                    and result.get("greedy_equal", True)
                failed |= not ok
                result.update({"case": name, "device": device, "attention": attention, "ok": ok})
                report["cases"].append(result)
                extra = f" score {result['max_abs_score_diff']:.2e}" if classifier else f" greedy {'equal' if result['greedy_equal'] else 'DIFFERENT'}"
                print(f"{name:22s} {device:5s} {attention:6s} logits {result['max_abs_logit_diff']:.2e} "
                      f"(scale {result['logit_scale']:.1f}){extra} {'ok' if ok else 'FAIL'}", flush=True)
    print(f"torch {report['torch']}, transformers {report['transformers']}, gpu {report['gpu']}")
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump(report, f, indent=1)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
