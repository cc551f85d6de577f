using AlignLab.Core.Demo;
using AlignLab.Core.Figa;
using AlignLab.Core.Models;
using AlignLab.Core.Previews;
using AlignLab.Core.R3;
using AlignLab.Core.Tokenization;
using AlignLab.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AlignLab.Web.Api;

/// <summary>/api/previews: see what a method would compute for one example, without a run.</summary>
public static class PreviewsApi
{
    public const int MaxTextLength = 20_000;

    public static RouteGroupBuilder MapPreviewsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/previews").WithTags("Previews").RequireAuthorization(Policies.Read)
            .AddEndpointFilter(WaitForPreviewSlot);
        group.MapPost("/figa-weights", FigaWeightsPreview).WithName("PreviewFigaWeights")
            .WithSummary("Token alignment, labels and Eq. 1 weights of an (initial, revised) response pair");
        group.MapPost("/logprobs", LogProbsPreview).WithName("PreviewLogProbs")
            .WithSummary("Per-token log-probabilities of a response under a model, given a prompt or a conversation rendered by a template");
        group.MapPost("/r3-reward", R3RewardPreview).WithName("PreviewR3Reward")
            .WithSummary("R³'s reward of one response: the cleaned response, relevance, LI, RP, the branch taken and the total");
        return group;
    }

    /// <summary>Every preview takes one of the node's preview slots (<see cref="PreviewGate"/>); when none comes free in
    /// time the answer is 429 with Retry-After, and nothing was computed.</summary>
    private static async ValueTask<object?> WaitForPreviewSlot(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var gate = context.HttpContext.RequestServices.GetRequiredService<PreviewGate>();
        using var slot = await gate.EnterAsync(context.HttpContext.RequestAborted);
        if (slot is null)
        {
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(title: "Previews are busy", statusCode: StatusCodes.Status429TooManyRequests,
                detail: $"this node computes {gate.Concurrent} previews at once and none came free within {gate.Wait.TotalSeconds:0} s; try again");
        }
        return await next(context);
    }

    public sealed record FigaWeightsRequest(string? Model, string? Original, string? Revised, double? Alpha, double? Beta, double? Gamma, string? GoodLabels);

    public sealed record PreviewToken(string Token, int Id, string Label, double Weight);

    public sealed record FigaWeightsResponse(IReadOnlyList<PreviewToken> Original, IReadOnlyList<PreviewToken> Revised, int EditDistance);

    private static Results<Ok<FigaWeightsResponse>, ValidationProblem> FigaWeightsPreview(FigaWeightsRequest request, IModelCatalog registry, IPreviewModels loaded)
    {
        var errors = new Dictionary<string, string[]>();
        string? folder = null;
        try { folder = registry.Resolve(request.Model ?? DemoPolicy.BaseModel); }
        catch (ArgumentException e) { errors["model"] = [e.Message]; }
        if (request.Original is null || request.Original.Length > MaxTextLength) errors["original"] = [$"required, at most {MaxTextLength} characters"];
        if (request.Revised is null || request.Revised.Length > MaxTextLength) errors["revised"] = [$"required, at most {MaxTextLength} characters"];
        foreach (var (name, value) in new[] { ("alpha", request.Alpha), ("beta", request.Beta), ("gamma", request.Gamma) })
            if (value is < 0 or > 100 || value is double v && !double.IsFinite(v)) errors[name] = ["must be between 0 and 100"];
        if (request.GoodLabels is not (null or "levenshtein" or "bag_of_words")) errors["goodLabels"] = ["must be levenshtein or bag_of_words"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        if (registry.Inspect(folder!).Problem is { } problem) return Problem("model", $"the model cannot be used: {problem}");
        var options = new FigaOptions
        {
            Alpha = request.Alpha ?? 1.0,
            Beta = request.Beta ?? 0.5,
            Gamma = request.Gamma ?? 0.0,
            GoodLabels = request.GoodLabels == "bag_of_words" ? GoodTokenLabels.BagOfWords : GoodTokenLabels.Levenshtein,
        };
        var result = Core.Previews.FigaWeightsPreview.Compute(loaded.Tokenizer(folder!), request.Original!, request.Revised!, options);
        PreviewToken[] Tokens(IReadOnlyList<Core.Previews.FigaWeightsPreview.Token> tokens) => [.. tokens.Select(t => new PreviewToken(t.Text, t.Id, t.Label, t.Weight))];
        return TypedResults.Ok(new FigaWeightsResponse(Tokens(result.Original), Tokens(result.Revised), result.EditDistance));
    }

    public const int MaxMessages = 100;

    /// <summary>The most tokens (prompt and response) one log-prob preview scores.</summary>
    public const int MaxPreviewTokens = 4096;

    /// <summary>The largest model a web node loads for a preview (6 GB in fp32); train-time evaluation covers larger ones.</summary>
    public const long MaxPreviewParameters = 1_500_000_000;

    public sealed record MessageRequest(string? Role, string? Content);

    /// <param name="Template">raw (the prompt as it is, with the special tokens the tokenizer adds), model (the model's chat
    /// template) or a fixed template's name; raw when absent.</param>
    /// <param name="Messages">A conversation instead of a prompt, rendered by the model template with the generation prompt.</param>
    public sealed record LogProbsRequest(string? Model, string? Prompt, string? Response, string? Template, IReadOnlyList<MessageRequest?>? Messages);

    public sealed record ResponseToken(int Id, string Text, double Logprob);

    public sealed record LogProbsResponse(string RenderedPrompt, int[] PromptIds, IReadOnlyList<ResponseToken> Tokens);

    private static async Task<Results<Ok<LogProbsResponse>, ValidationProblem>> LogProbsPreview(LogProbsRequest request, IModelCatalog registry,
        IPreviewModels loaded, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        string? folder = null;
        if (string.IsNullOrWhiteSpace(request.Model)) errors["model"] = ["required: a model folder under a model root, or a run's export"];
        else
        {
            try { folder = registry.Resolve(request.Model); }
            catch (ArgumentException e) { errors["model"] = [e.Message]; }
        }
        var template = request.Template ?? LogProbPrompt.RawTemplate;
        if (template != LogProbPrompt.RawTemplate && !PromptTemplate.Names.Contains(template))
            errors["template"] = [$"must be {LogProbPrompt.RawTemplate} or one of {string.Join(", ", PromptTemplate.Names)}"];
        List<Core.ChatTemplates.ChatMessage>? messages = null;
        if (request.Messages is { } given)
        {
            if (request.Prompt is not null) errors["messages"] = ["give either prompt or messages, not both"];
            else if (given.Count is 0 or > MaxMessages) errors["messages"] = [$"must hold 1 to {MaxMessages} messages"];
            else if (template != PromptTemplate.ModelTemplateName) errors["template"] = ["messages are rendered by the model's chat template: must be model"];
            else if (given.Sum(m => m?.Content?.Length ?? 0) > MaxTextLength) errors["messages"] = [$"at most {MaxTextLength} characters in all"];
            else
            {
                messages = [];
                for (int i = 0; i < given.Count; i++)
                {
                    if (given[i] is not { Role: { Length: > 0 } role, Content: { } content }) errors[$"messages[{i}]"] = ["needs a role and a content"];
                    else if (content.Length > MaxTextLength) errors[$"messages[{i}].content"] = [$"at most {MaxTextLength} characters"];
                    else messages.Add(new(role, content));
                }
            }
        }
        else if (request.Prompt is null || request.Prompt.Length > MaxTextLength) errors["prompt"] = [$"required (or messages), at most {MaxTextLength} characters"];
        if (request.Response is { Length: > MaxTextLength }) errors["response"] = [$"at most {MaxTextLength} characters"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var details = registry.Inspect(folder!);
        if (details.Problem is { } problem) return Problem("model", $"the model cannot be used: {problem}");
        if (details.IsClassifier || details.IsRetriever) return Problem("model", $"a {details.Architecture} gives no next-token log-probs: name a causal language model");
        if (details.Parameters > MaxPreviewParameters)
            return Problem("model", $"{details.Parameters:N0} parameters: previews load models of at most {MaxPreviewParameters:N0} on the web node");
        var tokenizer = loaded.Tokenizer(folder!);
        string rendered;
        int[] promptIds;
        try { (rendered, promptIds) = LogProbPrompt.Render(tokenizer, template, request.Prompt, messages); }
        catch (Exception e) when (e is ArgumentException or Core.ChatTemplates.ChatTemplateException)
        {
            return Problem("template", e.Message);
        }
        var responseIds = tokenizer.Encode(request.Response ?? "");
        if (responseIds.Length > 0 && promptIds.Length == 0)
            return Problem("prompt", "the prompt has no tokens, so the first response token has nothing to be predicted from");
        var tokens = promptIds.Length + responseIds.Length;
        if (tokens > Math.Min(MaxPreviewTokens, details.ContextLength))
            return Problem("response", $"prompt and response are {tokens} tokens; a preview scores at most {Math.Min(MaxPreviewTokens, details.ContextLength)} (the model's context, and {MaxPreviewTokens})");
        var logprobs = await loaded.ResponseLogProbsAsync(folder!, promptIds, responseIds, cancellationToken);
        var texts = tokenizer.TokenTexts(responseIds);
        return TypedResults.Ok(new LogProbsResponse(rendered, promptIds,
            [.. responseIds.Select((id, k) => new ResponseToken(id, texts[k], logprobs[k]))]));
    }

    private static ValidationProblem Problem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    public sealed record R3RewardRequest(string? Query, string? Response, string? Reference, string? QueryType, string? Scorer, int? MaxLength, string? Ablation);

    public sealed record R3RewardResponse(string Cleaned, string Scorer, double Relevance, double LengthIncentive, double RepetitionPenalty,
        string Branch, double Total, int Tokens);

    /// <param name="request">Scorer: "lexical" (the default), or a dense retriever's folder under a model root (loaded for this request).</param>
    private static async Task<Results<Ok<R3RewardResponse>, ValidationProblem>> R3RewardPreview(R3RewardRequest request, IModelCatalog registry,
        IPreviewModels loaded, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Query) || request.Query.Length > MaxTextLength) errors["query"] = [$"required, at most {MaxTextLength} characters"];
        if (request.Response is null || request.Response.Length > MaxTextLength) errors["response"] = [$"required (may be empty), at most {MaxTextLength} characters"];
        if (request.Reference is { Length: > MaxTextLength }) errors["reference"] = [$"at most {MaxTextLength} characters"];
        var type = QueryTypes.Parse(request.QueryType ?? "OE");
        if (type is null) errors["queryType"] = ["must be OE or CE"];
        else if (type == QueryType.ClosedEnded && string.IsNullOrWhiteSpace(request.Reference)) errors["reference"] = ["required for a closed-ended (CE) query"];
        string? retriever = null;
        if (request.Scorer is not (null or "" or LexicalRelevanceScorer.Key))
        {
            try { retriever = registry.Resolve(request.Scorer); }
            catch (ArgumentException e) { errors["scorer"] = [$"must be {LexicalRelevanceScorer.Key} or a retriever folder under a model root: {e.Message}"]; }
        }
        if (request.MaxLength is < 1 or > 32_768) errors["maxLength"] = ["must be between 1 and 32768"];
        if (request.Ablation is { } a && !R3Ablations.ByName.ContainsKey(a)) errors["ablation"] = [$"must be one of {string.Join(", ", R3Ablations.ByName.Keys)}"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var ablation = request.Ablation is { } name ? R3Ablations.ByName[name] : R3Ablation.None;
        R3Item[] items = [new R3Item(request.Query!, request.Response!, request.Reference ?? "", type!.Value)];
        var maxLength = request.MaxLength ?? R3Reward.DefaultMaxLength;
        (R3Score Score, string Name) Scored(IRelevanceScorer scorer) => (R3Reward.ScoreAll(items, scorer, maxLength, ablation)[0], scorer.Name);
        (R3Score Score, string Name) result;
        // A dense retriever is loaded once per node and kept (LoadedModels), like the previews' language models.
        try { result = retriever is null ? Scored(new LexicalRelevanceScorer()) : await loaded.UseRetrieverAsync(retriever, Scored, cancellationToken); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidDataException or IOException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["scorer"] = [e.Message] });
        }
        var score = result.Score;
        var cleaned = ResponseCleanup.Clean(request.Response!);
        return TypedResults.Ok(new R3RewardResponse(cleaned, result.Name, score.Relevance, score.LengthIncentive, score.RepetitionPenalty,
            score.Branch.Label(), score.Total, WordPunct.Tokenize(cleaned).Count));
    }
}
