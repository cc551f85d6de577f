using AlignLab.Core.Figa;
using AlignLab.Core.Models;
using AlignLab.Core.Previews;
using AlignLab.Core.Tokenization;

namespace AlignLab.Web.Comparisons;

/// <summary>Two to four models on one text: every response token's log-probability under each model (the log-prob
/// preview's), and each model's difference to the first. Given the initial response a revision was made from, both texts
/// are scored and carry FIGA's labels, so a reviewer sees whether the tokens FIGA rewards became likelier and the ones it
/// penalises less likely. The models must share a tokenizer, or their tokens would not line up.</summary>
public sealed class ModelTextComparison(IModelCatalog registry, IPreviewModels loaded)
{
    public const int MinModels = 2, MaxModels = 4, MaxTextLength = 20_000;

    /// <summary>One model's log-probs of a text's tokens, and their mean.</summary>
    public sealed record Scores(string Model, IReadOnlyList<double> LogProbs, double Mean);

    /// <summary>A scored text: its tokens, FIGA's label and weight of each (with an initial response), and every model's scores.</summary>
    public sealed record ScoredText(string Name, IReadOnlyList<string> Tokens, IReadOnlyList<string>? Labels, IReadOnlyList<double>? Weights,
        IReadOnlyList<Scores> Models);

    /// <summary>How a model moved FIGA's labelled tokens against the first model: the mean log-prob change of the tokens
    /// FIGA rewards (of the revision) and of those it penalises (of the initial response).</summary>
    public sealed record FigaShift(string Model, double? Rewarded, double? Penalised);

    public sealed record Result(IReadOnlyList<ScoredText> Texts, IReadOnlyList<FigaShift> Figa);

    /// <param name="original">The initial response the revision (<paramref name="response"/>) was made from, for FIGA's labels; null: none.</param>
    public async Task<(Result? Result, Dictionary<string, string[]> Errors)> CompareAsync(IReadOnlyList<string> models, string? prompt, string? response,
        string? original, string template, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (models.Count is < MinModels or > MaxModels) errors["models"] = [$"name {MinModels} to {MaxModels} models"];
        else if (models.Distinct().Count() != models.Count) errors["models"] = ["a model is named twice"];
        if (prompt is null || prompt.Length > MaxTextLength) errors["prompt"] = [$"required, at most {MaxTextLength} characters"];
        if (string.IsNullOrEmpty(response) || response.Length > MaxTextLength) errors["response"] = [$"required, at most {MaxTextLength} characters"];
        if (original is { Length: > MaxTextLength }) errors["original"] = [$"at most {MaxTextLength} characters"];
        if (template != LogProbPrompt.RawTemplate && !PromptTemplate.Names.Contains(template))
            errors["template"] = [$"must be {LogProbPrompt.RawTemplate} or one of {string.Join(", ", PromptTemplate.Names)}"];
        var folders = new List<string>();
        var context = int.MaxValue;
        foreach (var model in errors.ContainsKey("models") ? [] : models)
        {
            try
            {
                var folder = registry.Resolve(model);
                var details = registry.Inspect(folder);
                if (details.Problem is { } problem) throw new ArgumentException($"cannot be used: {problem}");
                if (details.IsClassifier || details.IsRetriever) throw new ArgumentException($"a {details.Architecture} gives no next-token log-probs");
                folders.Add(folder);
                context = Math.Min(context, details.ContextLength);
            }
            catch (ArgumentException e) { errors["models"] = [$"{model}: {e.Message}"]; break; }
        }
        if (errors.Count > 0) return (null, errors);

        var tokenizers = folders.Select(loaded.Tokenizer).ToList();
        var tokenizer = tokenizers[0];
        // One vocabulary: the same text must give the same ids under every model's tokenizer.
        var probe = (prompt ?? "") + "\n" + response + "\n" + original;
        if (tokenizers.Skip(1).FirstOrDefault(t => !t.Encode(probe).SequenceEqual(tokenizer.Encode(probe)) || t.EosTokenId != tokenizer.EosTokenId) is { } other)
            return (null, new() { ["models"] = [$"{models[tokenizers.IndexOf(other)]} tokenizes the text differently from {models[0]}: the tokens would not line up"] });
        int[] promptIds;
        try { (_, promptIds) = LogProbPrompt.Render(tokenizer, template, prompt, null); }
        catch (ArgumentException e) { return (null, new() { ["template"] = [e.Message] }); }
        if (promptIds.Length == 0) return (null, new() { ["prompt"] = ["the prompt has no tokens, so the first response token has nothing to be predicted from"] });

        // The texts as training sees them: each ends with EOS; with an initial response, FIGA's labels and weights.
        var figa = original is { Length: > 0 } ? FigaWeightsPreview.Compute(tokenizer, original, response!, new FigaOptions()) : null;
        var texts = new List<(string Name, int[] Ids, IReadOnlyList<string> Tokens, IReadOnlyList<string>? Labels, IReadOnlyList<double>? Weights)>();
        if (figa is null)
        {
            int[] ids = [.. tokenizer.Encode(response!), tokenizer.EosTokenId];
            texts.Add(("response", ids, [.. tokenizer.TokenTexts(ids).Select((t, i) => ids[i] == tokenizer.EosTokenId ? "<eos>" : t)], null, null));
        }
        else
        {
            texts.Add(("revised", [.. figa.Revised.Select(t => t.Id)], [.. figa.Revised.Select(t => t.Text)], [.. figa.Revised.Select(t => t.Label)], [.. figa.Revised.Select(t => t.Weight)]));
            texts.Add(("original", [.. figa.Original.Select(t => t.Id)], [.. figa.Original.Select(t => t.Text)], [.. figa.Original.Select(t => t.Label)], [.. figa.Original.Select(t => t.Weight)]));
        }
        foreach (var (name, ids, _, _, _) in texts)
            if (promptIds.Length + ids.Length > context)
                return (null, new() { [name == "original" ? "original" : "response"] = [$"prompt and {name} are {promptIds.Length + ids.Length} tokens; the models' context is {context}"] });

        var scored = new List<ScoredText>();
        foreach (var (name, ids, tokens, labels, weights) in texts)
        {
            var rows = new List<Scores>();
            for (int m = 0; m < folders.Count; m++)
            {
                var logProbs = await loaded.ResponseLogProbsAsync(folders[m], promptIds, ids, cancellationToken);
                rows.Add(new Scores(models[m], logProbs, logProbs.Average()));
            }
            scored.Add(new ScoredText(name, tokens, labels, weights, rows));
        }
        return (new Result(scored, figa is null ? [] : [.. models.Skip(1).Select((model, k) => Shift(model, k + 1, scored))]), errors);
    }

    /// <summary>Model <paramref name="m"/>'s mean change against the first over the revision's added or substituted tokens
    /// (which FIGA rewards) and the initial response's deleted or substituted ones (which it penalises).</summary>
    private static FigaShift Shift(string model, int m, IReadOnlyList<ScoredText> texts)
    {
        static double? Mean(ScoredText text, int m, string label)
        {
            var changes = Enumerable.Range(0, text.Tokens.Count).Where(i => text.Labels![i] == label)
                .Select(i => text.Models[m].LogProbs[i] - text.Models[0].LogProbs[i]).ToList();
            return changes.Count == 0 ? null : changes.Average();
        }
        return new FigaShift(model, Mean(texts[0], m, FigaArtifacts.AddedOrSubstituted), Mean(texts[1], m, FigaArtifacts.DeletedOrSubstituted));
    }
}
