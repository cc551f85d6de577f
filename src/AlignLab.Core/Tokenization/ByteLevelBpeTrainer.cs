using System.Text.Json;

namespace AlignLab.Core.Tokenization;

/// <summary>Learns a GPT-2-format byte-level BPE (vocab.json + merges.txt) from a corpus: starting from the 256
/// byte symbols, repeatedly merges the most frequent adjacent pair within words. The result loads wherever GPT-2's
/// tokenizer files do; the vocabulary ends with &lt;|endoftext|&gt;, as GPT-2's does.</summary>
public static class ByteLevelBpeTrainer
{
    public const string EndOfText = "<|endoftext|>";

    public sealed record Result(IReadOnlyList<string> Vocabulary, IReadOnlyList<(string Left, string Right)> Merges);

    public static Result Train(IEnumerable<string> corpus, int merges)
    {
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (var match in ByteLevel.PreTokenizer().EnumerateMatches(text))
            {
                var word = ByteLevel.Symbols(text.Substring(match.Index, match.Length));
                wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
            }

        var words = wordCounts.Select(w => (Symbols: w.Key.Select(c => c.ToString()).ToList(), Count: w.Value)).ToList();
        var vocabulary = new List<string>(ByteLevel.ByteToSymbol);
        var learned = new List<(string, string)>();
        for (int m = 0; m < merges; m++)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            if (pairs.Count == 0) break;
            // Most frequent pair; ties broken by the pair itself so training is deterministic.
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < 2) break;
            var (left, right) = best.Key;
            learned.Add((left, right));
            vocabulary.Add(left + right);
            foreach (var (symbols, _) in words)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = left + right;
                        symbols.RemoveAt(i + 1);
                    }
        }
        vocabulary.Add(EndOfText);
        return new Result(vocabulary, learned);
    }

    /// <summary>Writes vocab.json and merges.txt (with GPT-2's "#version: 0.2" header) into a folder.</summary>
    public static void Save(Result result, string folder)
    {
        Directory.CreateDirectory(folder);
        var vocab = result.Vocabulary.Select((token, id) => (token, id)).ToDictionary(t => t.token, t => t.id);
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(Path.Combine(folder, "merges.txt"),
            new[] { "#version: 0.2" }.Concat(result.Merges.Select(m => $"{m.Left} {m.Right}")));
    }
}
