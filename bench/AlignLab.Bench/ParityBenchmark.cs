using AlignLab.Training.Inference;
using AlignLab.Training.Models;
using AlignLab.Training.Models.Gpt2;
using AlignLab.Training.Models.Llama;
using AlignLab.Training.Weights;
using static TorchSharp.torch;

namespace AlignLab.Bench;

/// <summary>Numerical parity with Hugging Face transformers, .NET half: writes tiny random models of every
/// supported architecture in HF layout, each with reference.safetensors holding our outputs on a padded batch
/// (next-token logits, greedy continuations; for classifiers the per-token and last-token scores).
/// bench/python/parity.py loads the same folders with transformers and compares.</summary>
public static class ParityBenchmark
{
    private const int NewTokens = 8;

    public static Task RunAsync(string[] args)
    {
        var output = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "alignlab-parity");
        Directory.CreateDirectory(output);
        foreach (var (name, config) in Cases())
        {
            var folder = Path.Combine(output, name);
            random.manual_seed(7);
            using var model = ModelFolder.Create(config);
            Perturb(model);
            model.eval();
            ModelFolder.Save(model, folder);
            WriteCausalReference(model, folder);
            Console.WriteLine($"wrote {folder}");

            var classifierFolder = Path.Combine(output, name + "-classifier");
            random.manual_seed(8);
            using var classifier = new SequenceClassifier(ModelFolder.Create(config), labels: 2);
            Perturb(classifier);
            classifier.eval();
            classifier.Save(classifierFolder);
            WriteClassifierReference(classifier, classifierFolder);
            Console.WriteLine($"wrote {classifierFolder}");
        }
        return Task.CompletedTask;
    }

    private static IEnumerable<(string Name, ModelConfig Config)> Cases()
    {
        yield return ("gpt2", new Gpt2Config
        {
            vocab_size = 97, n_positions = 64, n_embd = 32, n_layer = 2, n_head = 4,
            resid_pdrop = 0, embd_pdrop = 0, attn_pdrop = 0, bos_token_id = 0, eos_token_id = 0,
        });
        LlamaConfig Llama(string type, bool tied) => new()
        {
            model_type = type, vocab_size = 97, hidden_size = 32, intermediate_size = 48, num_hidden_layers = 2,
            num_attention_heads = 4, num_key_value_heads = 2, max_position_embeddings = 64, tie_word_embeddings = tied,
            bos_token_id = 1, eos_token_id = 2,
        };
        yield return ("llama", Llama("llama", tied: false));
        yield return ("llama-tied", Llama("llama", tied: true));
        yield return ("mistral", Llama("mistral", tied: false));
        yield return ("qwen2", Llama("qwen2", tied: true));
    }

    /// <summary>Random weights far from initialisation (norm gains away from 1, biases away from 0), so that a
    /// wrong formula shows in the outputs instead of hiding behind near-zero activations.</summary>
    private static void Perturb(nn.Module model)
    {
        using var noGrad = no_grad();
        foreach (var (_, parameter) in model.named_parameters())
            parameter.add_(randn_like(parameter).mul_(0.3));
    }

    /// <summary>Three prompts of different lengths, left-padded (the generation layout); token ids avoid the
    /// special ids 0–2 so that padding detection by pad id (HF's classifier) finds the same last token.</summary>
    private static (Tensor Ids, Tensor Mask, int[][] Prompts) Batch(int vocab)
    {
        var generator = new Random(11);
        int[][] prompts = [.. new[] { 12, 9, 5 }.Select(n => Enumerable.Range(0, n).Select(_ => generator.Next(3, vocab)).ToArray())];
        var length = prompts.Max(p => p.Length);
        var ids = new long[prompts.Length * length];
        var mask = new long[ids.Length];
        for (int b = 0; b < prompts.Length; b++)
            for (int i = 0; i < prompts[b].Length; i++)
            {
                var column = length - prompts[b].Length + i;
                ids[b * length + column] = prompts[b][i];
                mask[b * length + column] = 1;
            }
        return (tensor(ids, [prompts.Length, length]), tensor(mask, [prompts.Length, length]), prompts);
    }

    private static void WriteCausalReference(CausalLM model, string folder)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask, prompts) = Batch(model.Config.VocabSize);
        var logits = model.Forward(ids, mask);
        var eos = model.Config.EosTokenId ?? -1;
        var sequences = TextGenerator.Generate(model, prompts, new GenerationOptions { MaxNewTokens = NewTokens, Temperature = 0, PadTokenId = eos });
        // Continuations padded with -1; a sequence that stopped carries its EOS.
        var generated = full(prompts.Length, NewTokens, -1L, dtype: ScalarType.Int64);
        for (int b = 0; b < sequences.Count; b++)
        {
            var tokens = sequences[b].Tokens.Select(t => (long)t).Concat(sequences[b].EndedWithEos ? [eos] : []).ToArray();
            generated[b].narrow(0, 0, tokens.Length).copy_(tensor(tokens));
        }
        SafetensorsWriter.Write(Path.Combine(folder, "reference.safetensors"), new Dictionary<string, Tensor>
        {
            ["input_ids"] = ids, ["attention_mask"] = mask, ["logits"] = logits.contiguous(), ["generated"] = generated,
        });
    }

    private static void WriteClassifierReference(SequenceClassifier classifier, string folder)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask, _) = Batch(classifier.Backbone.Config.VocabSize);
        // HF's classifier finds the last token by pad id: padding carries the pad id (EOS) here.
        var pad = classifier.Backbone.Config.EosTokenId ?? 0;
        ids = ids.masked_fill(mask.eq(0), pad);
        SafetensorsWriter.Write(Path.Combine(folder, "reference.safetensors"), new Dictionary<string, Tensor>
        {
            ["input_ids"] = ids, ["attention_mask"] = mask,
            ["scores"] = classifier.Scores(ids, mask).contiguous(), ["logits"] = classifier.Forward(ids, mask).contiguous(),
        });
    }
}
