using System.Text.RegularExpressions;
using AlignLab.Core.Demo;
using AlignLab.Core.Evaluation;
using AlignLab.Jobs.ChatCompletions;
using AlignLab.Testing;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Evaluation;
using AlignLab.Training.Registry;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Training.Tests;

/// <summary>The win rate against the demo set's reference answers, judged by a stub chat-completions endpoint: both
/// orders asked, position bias cancelled, ties half, and a failing item marked without stopping the job.</summary>
public sealed class EvaluateJudgeTests : IClassFixture<EvaluateJudgeTests.DemoFixture>, IDisposable
{
    public sealed class DemoFixture
    {
        public ModelRegistry Registry { get; }

        public DemoFixture()
        {
            var root = TinyModels.DemoRoot();
            Registry = new ModelRegistry([root]);
        }
    }

    private readonly FakeChatCompletions _endpoint = new((_, _) => new Reply(500, "not set"));
    private readonly ModelRegistry _registry;
    private static readonly HashSet<string> References = [.. BuiltInDatasets.DemoEvalGeneration.Records().Select(r => r.Output)];

    public EvaluateJudgeTests(DemoFixture fixture) => _registry = fixture.Registry;

    private async Task<(MethodContext Context, List<EvaluationArtifacts.JudgementRow> Judgements, List<EvaluationArtifacts.ResultRow> Results)> RunAsync()
    {
        var method = new EvaluateMethod(_registry, judge: new ChatCompletionsPairwiseJudge(new ChatCompletionsClient(
            Options.Create(new ChatCompletionsOptions { Endpoint = _endpoint.BaseAddress, Model = "judge", MaxAttempts = 2, InitialBackoffMs = 5 }),
            NullLogger<ChatCompletionsClient>.Instance)));
        var context = new MethodContext(method,
            $$"""{"models":["{{DemoModel.Name}}"],"sets":["demo-eval-generation"],"judge":"endpoint","max_new_tokens":4,"resamples":100}""");
        await method.RunAsync(context);
        var evaluation = Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.JudgementsFile);
        var judgements = File.ReadAllLines(evaluation).Select(l => System.Text.Json.JsonSerializer.Deserialize<EvaluationArtifacts.JudgementRow>(l,
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!).ToList();
        var results = System.Text.Json.JsonSerializer.Deserialize<List<EvaluationArtifacts.ResultRow>>(
            File.ReadAllText(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ResultsFile)),
            new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        return (context, judgements, results);
    }

    private static (string A, string B) Outputs(string prompt)
    {
        var m = Regex.Match(prompt, @"# Output \(a\)\n(?<a>.*)\n\n# Output \(b\)\n(?<b>.*)\n\nExplain", RegexOptions.Singleline);
        return (m.Groups["a"].Value, m.Groups["b"].Value);
    }

    private static double WinRate(List<EvaluationArtifacts.ResultRow> results) => results.Single(r => r.Metric == "win_rate").Value;

    [Fact]
    public async Task AJudgeThatAlwaysPrefersOutputAGivesFiftyPercentBecauseBothOrdersAreAsked()
    {
        _endpoint.Respond = (_, _) => new Reply(200, "The first one reads better.\nOutput (a)");
        var (_, judgements, results) = await RunAsync();
        Assert.Equal(40, judgements.Count);
        Assert.All(judgements, j =>
        {
            Assert.Equal(0.5, j.Score);
            Assert.Equal(["A", "A"], j.Verdicts!);
        });
        Assert.Equal(0.5, WinRate(results), 12);

        // Every item was asked twice: once with the model's response as (a), once with it as (b).
        var prompts = _endpoint.Requests.Select(r => r.Prompt).ToList();
        Assert.Equal(80, prompts.Count);
        Assert.Equal(40, prompts.Count(p => References.Contains(Outputs(p).B)));
        Assert.Equal(40, prompts.Count(p => References.Contains(Outputs(p).A)));
        Assert.Equal("The first one reads better.", judgements[0].Reasoning![0]);
    }

    [Fact]
    public async Task TiesCountHalfAndAJudgeThatPrefersTheReferenceGivesNone()
    {
        // The reference wins on the capitals; every other item is a tie. By hand: capitals score 0, the rest ½.
        _endpoint.Respond = (prompt, _) =>
        {
            var (a, b) = Outputs(prompt);
            if (!prompt.Contains("capital", StringComparison.Ordinal)) return new Reply(200, "Both are fine.\n**Tie**");
            return new Reply(200, References.Contains(a) ? "Output (a)" : References.Contains(b) ? "Output (b)." : "Tie");
        };
        var (_, judgements, results) = await RunAsync();
        var capitals = judgements.Count(j => BuiltInDatasets.DemoEvalGeneration.Records()[j.Index].Instruction.Contains("capital", StringComparison.Ordinal));
        Assert.InRange(capitals, 1, 39);
        Assert.All(judgements, j => Assert.Equal(
            BuiltInDatasets.DemoEvalGeneration.Records()[j.Index].Instruction.Contains("capital", StringComparison.Ordinal) ? 0.0 : 0.5, j.Score));
        Assert.Equal((40 - capitals) * 0.5 / 40, WinRate(results), 12);
    }

    [Fact]
    public async Task AnItemTheEndpointKeepsFailingIsMarkedFailedAndTheRestAreJudged()
    {
        var failing = BuiltInDatasets.DemoEvalGeneration.Records()[7].Instruction;
        _endpoint.Respond = (prompt, _) => prompt.Contains(failing, StringComparison.Ordinal) ? new Reply(500, "overloaded") : new Reply(200, "Output (b)");
        var (context, judgements, results) = await RunAsync();
        var failed = judgements.Where(j => j.Score is null).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, j => Assert.Contains("overloaded", j.Error));
        Assert.All(failed, j => Assert.Equal(failing, BuiltInDatasets.DemoEvalGeneration.Records()[j.Index].Instruction));
        Assert.Equal(failed.Count, results.Single(r => r.Metric == "judge_failed").Value);
        // Always (b): ½ per judged item, over the judged ones only.
        Assert.Equal(0.5, WinRate(results), 12);
        Assert.Equal(40 - failed.Count, results.Single(r => r.Metric == "win_rate").Items);
        // Two tries for each failing item's first order (max_attempts 2; the question recurs in the set), after which it is given up; the job went on.
        Assert.Equal(2 * failed.Count, _endpoint.Requests.Count(r => r.Prompt.Contains(failing, StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ResultsFile)));
    }

    [Fact]
    public void AnEndpointJudgeNeedsItsPlaceholdersAndARewardJudgeItsModel()
    {
        var method = new EvaluateMethod(_registry);
        var noEndpoint = Assert.Throws<ArgumentException>(() => new MethodContext(method, """{"judge":"endpoint","judge_prompt":"Which is better? {output_a}"}"""));
        Assert.Contains("judge: endpoint: no chat-completions endpoint is set up", noEndpoint.Message);
        Assert.Contains("judge_prompt: must contain {instruction}, {output_b}", noEndpoint.Message);
        Assert.Contains("reward_model: required with judge reward_model", Assert.Throws<ArgumentException>(() => new MethodContext(method, """{"judge":"reward_model"}""")).Message);
        Assert.Contains("baseline: 'other' is not one of models", Assert.Throws<ArgumentException>(() => new MethodContext(method, """{"baseline":"other"}""")).Message);
    }

    private async Task<(MethodContext Context, List<EvaluationArtifacts.RelevanceRow> Rows, List<EvaluationArtifacts.ResultRow> Results)> RunRelevanceAsync()
    {
        var client = new ChatCompletionsClient(
            Options.Create(new ChatCompletionsOptions { Endpoint = _endpoint.BaseAddress, Model = "judge", MaxAttempts = 2, InitialBackoffMs = 5 }),
            NullLogger<ChatCompletionsClient>.Instance);
        var method = new EvaluateMethod(_registry, relevance: new ChatCompletionsRelevanceJudge(client));
        var context = new MethodContext(method,
            $$"""{"models":["{{DemoModel.Name}}"],"sets":["demo-eval-generation"],"relevant_sentences":true,"max_new_tokens":4,"resamples":100}""");
        await method.RunAsync(context);
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var rows = File.ReadAllLines(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.RelevanceFile))
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<EvaluationArtifacts.RelevanceRow>(l, json)!).ToList();
        var results = System.Text.Json.JsonSerializer.Deserialize<List<EvaluationArtifacts.ResultRow>>(
            File.ReadAllText(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ResultsFile)), json)!;
        return (context, rows, results);
    }

    [Fact]
    public async Task RelevantSentencesAreAskedOncePerNonEmptyResponseAndEachResponsesShareIsAveraged()
    {
        // The paper's prompt goes out; the judge marks two sentences, one of them relevant.
        _endpoint.Respond = (_, _) => new Reply(200, "- \"First.\" : Relevant\n- \"Second.\" : Irrelevant");
        var (context, rows, results) = await RunRelevanceAsync();
        var items = File.ReadAllLines(Path.Combine(context.ArtifactDirectory, EvaluationArtifacts.ItemsFile))
            .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["response"]!.GetValue<string>()).ToList();
        Assert.Equal(items.Count(r => r.Length > 0), rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Index).Distinct().Count());
        Assert.All(_endpoint.Requests, r => Assert.StartsWith("Please act as an impartial judge and evaluate the quality of the response", r.Prompt));
        Assert.All(rows, r => Assert.Equal([new SentenceVerdict("First.", true), new SentenceVerdict("Second.", false)], r.Sentences!));
        Assert.Equal(0.5, results.Single(r => r.Metric == "rel_sentences").Value, 12);
        Assert.Equal(0, results.Single(r => r.Metric == "relevance_failed").Value);
        // Run again: nothing is asked twice.
        var requests = _endpoint.Requests.Count;
        Assert.Equal(rows.Count, requests);
        await new EvaluateMethod(_registry, relevance: new ChatCompletionsRelevanceJudge(new ChatCompletionsClient(
            Options.Create(new ChatCompletionsOptions { Endpoint = _endpoint.BaseAddress, Model = "judge" }), NullLogger<ChatCompletionsClient>.Instance))).RunAsync(context);
        Assert.Equal(requests, _endpoint.Requests.Count);
    }

    [Fact]
    public async Task ResponsesTheRelevanceJudgeKeepsFailingOnAreCountedApartAndTheEvaluationEnds()
    {
        _endpoint.Respond = (_, _) => new Reply(500, "overloaded");
        var (_, rows, results) = await RunRelevanceAsync();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Contains("overloaded", r.Error));
        Assert.Equal(rows.Count, results.Single(r => r.Metric == "relevance_failed").Value);
        Assert.DoesNotContain(results, r => r.Metric == "rel_sentences");
        Assert.Equal(2 * rows.Count, _endpoint.Requests.Count);        // two attempts each, then given up
    }

    public void Dispose() => _endpoint.Dispose();
}
