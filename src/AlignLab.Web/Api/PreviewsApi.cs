using AlignLab.Core.Figa;
using AlignLab.Training.Registry;
using AlignLab.Training.Tokenization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>/api/previews: see what a method would compute for one example, without a run.</summary>
public static class PreviewsApi
{
    public const int MaxTextLength = 20_000;

    public static RouteGroupBuilder MapPreviewsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/previews").WithTags("Previews");
        group.MapPost("/figa-weights", FigaWeightsPreview).WithName("PreviewFigaWeights")
            .WithSummary("Token alignment, labels and Eq. 1 weights of an (initial, revised) response pair");
        return group;
    }

    public sealed record FigaWeightsRequest(string? Model, string? Original, string? Revised, double? Alpha, double? Beta, double? Gamma, string? GoodLabels);

    public sealed record PreviewToken(string Token, int Id, string Label, double Weight);

    public sealed record FigaWeightsResponse(IReadOnlyList<PreviewToken> Original, IReadOnlyList<PreviewToken> Revised, int EditDistance);

    private static Results<Ok<FigaWeightsResponse>, ValidationProblem> FigaWeightsPreview(FigaWeightsRequest request, ModelRegistry registry)
    {
        var errors = new Dictionary<string, string[]>();
        string? folder = null;
        try { folder = registry.Resolve(request.Model ?? Training.Demo.DemoModel.Name); }
        catch (ArgumentException e) { errors["model"] = [e.Message]; }
        if (request.Original is null || request.Original.Length > MaxTextLength) errors["original"] = [$"required, at most {MaxTextLength} characters"];
        if (request.Revised is null || request.Revised.Length > MaxTextLength) errors["revised"] = [$"required, at most {MaxTextLength} characters"];
        foreach (var (name, value) in new[] { ("alpha", request.Alpha), ("beta", request.Beta), ("gamma", request.Gamma) })
            if (value is < 0 or > 100 || value is double v && !double.IsFinite(v)) errors[name] = ["must be between 0 and 100"];
        if (request.GoodLabels is not (null or "levenshtein" or "bag_of_words")) errors["goodLabels"] = ["must be levenshtein or bag_of_words"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var tokenizer = TextTokenizer.Load(folder!);
        var options = new FigaOptions
        {
            Alpha = request.Alpha ?? 1.0,
            Beta = request.Beta ?? 0.5,
            Gamma = request.Gamma ?? 0.0,
            GoodLabels = request.GoodLabels == "bag_of_words" ? GoodTokenLabels.BagOfWords : GoodTokenLabels.Levenshtein,
        };
        int[] original = [.. tokenizer.Encode(request.Original!), tokenizer.EosTokenId];
        int[] revised = [.. tokenizer.Encode(request.Revised!), tokenizer.EosTokenId];
        var weights = FigaWeights.For(original, revised, options);
        string Text(int id) => id == tokenizer.EosTokenId ? "<eos>" : tokenizer.Decode([id]);
        return TypedResults.Ok(new FigaWeightsResponse(
            original.Select((id, i) => new PreviewToken(Text(id), id, weights.OriginalChanged[i] ? "deleted_or_substituted" : "unchanged", weights.Original[i])).ToList(),
            revised.Select((id, i) => new PreviewToken(Text(id), id, weights.RevisedChanged[i] ? "added_or_substituted" : "unchanged", weights.Revised[i])).ToList(),
            Core.Alignment.TokenAlignment.Distance(original.AsSpan(0, original.Length - 1), revised.AsSpan(0, revised.Length - 1))));
    }
}
