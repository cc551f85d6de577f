using System.Text.Json;
using AlignLab.Training.Retrieval;
using AlignLab.Training.Runtime;

namespace AlignLab.Bench;

/// <summary>The retriever's side of a parity check with transformers: WordPiece ids and mean-pooled embeddings of the
/// texts in a file (one per line), written as JSON for bench/python/retriever_parity.py to compare.
/// Arguments: retriever-folder texts-file out-json [device=cpu].</summary>
public static class RetrieverParityBenchmark
{
    public static Task RunAsync(string[] args)
    {
        var texts = File.ReadAllLines(args[1]);
        using var scorer = RetrieverScorer.Load(args[0], TorchDevice.Parse(args.Length > 3 ? args[3] : "cpu"));
        var result = new { ids = texts.Select(scorer.Encode).ToArray(), embeddings = scorer.Embed(texts) };
        File.WriteAllText(args[2], JsonSerializer.Serialize(result));
        Console.WriteLine($"{texts.Length} texts embedded with {scorer.Name}");
        return Task.CompletedTask;
    }
}
