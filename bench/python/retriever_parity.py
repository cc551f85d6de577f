"""Parity of AlignLab's BERT retriever with transformers: a random BERT in HF layout (written here), WordPiece ids and
mean-pooled embeddings from both, compared. Usage: python3 retriever_parity.py <work dir> <AlignLab.Bench> [device]"""
import json, os, random, subprocess, sys

import torch
from transformers import BertConfig, BertModel, BertTokenizer

work, bench = sys.argv[1], sys.argv[2]
device = sys.argv[3] if len(sys.argv) > 3 else "cpu"
os.makedirs(work, exist_ok=True)
folder = os.path.join(work, "tiny-bert")
words = ["paris", "france", "capital", "city", "river", "the", "is", "of", "a", "and", "large", "north", "south", "##s", "##ing",
         "run", "walk", "cafe", "tokyo", "japan", "what", "where", "how", "many", "people", "live", "there", ",", ".", "?", "!"]
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words
config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=128,
                    max_position_embeddings=64, hidden_act="gelu")
torch.manual_seed(0)
model = BertModel(config, add_pooling_layer=True).eval()
model.save_pretrained(folder, safe_serialization=True)
with open(os.path.join(folder, "vocab.txt"), "w") as f:
    f.write("\n".join(vocab) + "\n")
with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
    json.dump({"do_lower_case": True, "tokenizer_class": "BertTokenizer"}, f)

random.seed(1)
texts = ["What is the capital of France?", "Paris is the capital of France.", "Tokyo, Japan: many people live there!",
         "Running and walking north of the river", "Café de Paris", "unknownword paris", "",
         " ".join(random.choice(words[:-4]) for _ in range(40))]
texts_file = os.path.join(work, "texts.txt")
with open(texts_file, "w") as f:
    f.write("\n".join(texts) + "\n")
out = os.path.join(work, "alignlab.json")
subprocess.run([bench, "retriever-parity", folder, texts_file, out, device], check=True)
ours = json.load(open(out))

tokenizer = BertTokenizer(os.path.join(folder, "vocab.txt"), do_lower_case=True)
batch = tokenizer(texts, padding=True, return_tensors="pt")
with torch.no_grad():
    hidden = model.to(device)(input_ids=batch["input_ids"].to(device), attention_mask=batch["attention_mask"].to(device)).last_hidden_state.cpu()
mask = batch["attention_mask"].unsqueeze(-1).float()
theirs = (hidden * mask).sum(1) / mask.sum(1)
reference_ids = [[t for t, m in zip(batch["input_ids"][i].tolist(), batch["attention_mask"][i].tolist()) if m] for i in range(len(texts))]
ids_equal = all(ours["ids"][i] == reference_ids[i] for i in range(len(texts)))
for i, text in enumerate(texts):
    if ours["ids"][i] != reference_ids[i]:
        print(json.dumps({"text": text, "alignlab": ours["ids"][i], "transformers": reference_ids[i]}))
same = [i for i in range(len(texts)) if ours["ids"][i] == reference_ids[i]]
print(json.dumps({"max_abs_embedding_diff_where_ids_agree": (torch.tensor(ours["embeddings"])[same] - theirs[same]).abs().max().item(), "texts_agreeing": len(same)}))
diff = (torch.tensor(ours["embeddings"]) - theirs).abs().max().item()
dots_ours = torch.tensor(ours["embeddings"]) @ torch.tensor(ours["embeddings"]).T
dots_theirs = theirs @ theirs.T
print(json.dumps({"device": device, "texts": len(texts), "token_ids_equal": ids_equal, "max_abs_embedding_diff": diff,
                  "max_abs_dot_diff": (dots_ours - dots_theirs).abs().max().item(), "max_abs_embedding": theirs.abs().max().item(),
                  "torch": torch.__version__}))
