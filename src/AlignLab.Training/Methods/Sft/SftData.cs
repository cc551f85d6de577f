using AlignLab.Training.Demo;
using AlignLab.Training.Tokenization;

namespace AlignLab.Training.Methods.Sft;

/// <summary>Loads and tokenizes an SFT dataset and splits off a held-out part (deterministic for a seed).</summary>
public static class SftData
{
    public static (List<(int[] Prompt, int[] Response)> Train, List<(int[] Prompt, int[] Response)> Eval) Load(
        string dataset, TextTokenizer tokenizer, PromptTemplate template, int maxLength, double evalFraction, int seed)
    {
        var pairs = dataset switch
        {
            "demo" => DemoData.Generate().Select(e => template.Encode(tokenizer, e.Instruction, e.Input, e.Response)),
            // The initial (wrong) responses of the demo SPA pairs: a policy whose answers FIGA then corrects.
            "demo-spa-initial" => DemoData.GeneratePairs(1000, seed: 11).Select(p => template.Encode(tokenizer, p.Example.Instruction, p.Example.Input, p.WrongResponse)),
            _ => throw new ArgumentException($"unknown dataset '{dataset}'"),
        };
        var kept = pairs.Where(p => p.Prompt.Length + p.Response.Length <= maxLength && p.Response.Length > 0).ToList();
        if (kept.Count == 0) throw new InvalidOperationException($"no pair of dataset '{dataset}' fits max_length {maxLength}");
        var order = Enumerable.Range(0, kept.Count).ToArray();
        new Random(seed).Shuffle(order);
        var evalCount = (int)Math.Round(kept.Count * evalFraction);
        if (evalCount >= kept.Count) evalCount = kept.Count - 1;
        return (order.Skip(evalCount).Select(i => kept[i]).ToList(), order.Take(evalCount).Select(i => kept[i]).ToList());
    }
}
