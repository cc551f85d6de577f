using System.Text.Json;
using System.Text.RegularExpressions;
using AlignLab.Core.Figa;
using AlignLab.Core.Tokenization;
using AlignLab.Jobs.ChatCompletions;
using AlignLab.Testing;
using AlignLab.Training.Demo;
using AlignLab.Training.Methods.Figa;
using AlignLab.Training.Registry;
using AlignLab.Training.Rewards;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;
using Reply = AlignLab.Testing.FakeChatCompletions.Reply;

namespace AlignLab.Training.Tests;

/// <summary>Table 5's variants of “Beyond Imitation” run on the demo: the LLM-scored weights against a stub chat-completions
/// endpoint, the reward-scaled α and β against the reward model's own scores, and β = 0 as the paper ran the r̃ variants.</summary>
public sealed class FigaVariantsTests : IClassFixture<FigaVariantsTests.DemoFixture>, IDisposable
{
    public sealed class DemoFixture
    {
        public ModelRegistry Registry { get; }

        public DemoFixture()
        {
            var root = TinyModels.DemoRoot();
            TestRewardModels.CreateRandom(Path.Combine(root, DemoModel.Name), Path.Combine(root, "variants-rm"));
            Registry = new ModelRegistry([root]);
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // The stub scores the better response's last word (the corrected fact) 5 and the word "is" 0, as the paper's prompt asks.
    private readonly FakeChatCompletions _endpoint = new((prompt, _) =>
        Regex.Match(prompt, @"Better Response: .* (\w+)\.$") is { Success: true } m
            ? new Reply(200, $"[(\"{m.Groups[1].Value}\", 5), ('is', 0)]")
            : new Reply(200, "no list here"));

    private readonly ModelRegistry _registry;

    public FigaVariantsTests(DemoFixture fixture) => _registry = fixture.Registry;

    private FigaMethod Method(int maxAttempts = 2) => new(_registry, annotator: new ChatCompletionsTokenImportance(new ChatCompletionsClient(
        Options.Create(new ChatCompletionsOptions { Endpoint = _endpoint.BaseAddress, Model = "scorer", MaxAttempts = maxAttempts, InitialBackoffMs = 5 }),
        NullLogger<ChatCompletionsClient>.Instance)));

    private const string Steps = "\"max_steps\":1,\"batch_size\":2,\"grad_accum\":1,\"eval_every\":0,\"checkpoint_every\":0,\"eval_fraction\":0.05";

    [Theory]
    [InlineData("llm_weighted", 1.3, 0.7, 0.3)]
    [InlineData("llm_binary", 1.0, 0.0, 0.0)]
    public async Task TheLlmScoredVariantsWeighTheRevisionsTokensByTheEndpointsWordScores(string labels, double fact, double scoredZero, double unscored)
    {
        var method = Method();
        var context = new MethodContext(method, $$"""{"preset":"demo","model":"{{DemoModel.Name}}","good_labels":"{{labels}}",{{Steps}}}""");
        await method.RunAsync(context);

        // Every one of the 1000 demo pairs was asked once, with the paper's prompt.
        var requests = _endpoint.Requests.ToList();
        Assert.Equal(1000, requests.Count);
        var records = await FigaData.RecordsAsync(FigaData.Demo, null, CancellationToken.None);
        Assert.Contains(TokenImportance.Prompt(records[0].Instruction, records[0].OriginalOutput, records[0].RevisedOutput), requests.Select(r => r.Prompt));
        Assert.Equal(1000, File.ReadAllLines(Path.Combine(context.ArtifactDirectory, FigaVariants.WordScoresFile)).Length);
        // β follows the variant to 0, as Table 5 ran it.
        Assert.Equal(0.0, context.Spec.Parameters["beta"]!.GetValue<double>());

        // By hand: a token whose first letter is in the corrected fact (the last word, wherever it occurs) weighs fact, in the
        // word "is" scoredZero, anywhere else unscored; EOS keeps α = 1. Nothing on Ŷ is penalised with β = 0.
        var pairs = File.ReadAllLines(Path.Combine(context.ArtifactDirectory, FigaTokenWeights.FileName))
            .Select(l => JsonSerializer.Deserialize<FigaArtifacts.PairRow>(l, Json)!).ToList();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            var text = string.Concat(pair.Revised.SkipLast(1).Select(t => t.Token));
            var words = Regex.Matches(text, @"\w+").ToList();
            var last = words[^1].Value;
            var start = 0;
            foreach (var token in pair.Revised.SkipLast(1))
            {
                var first = start + token.Token.TakeWhile(c => !char.IsLetterOrDigit(c)).Count();
                var word = words.FirstOrDefault(w => first >= w.Index && first < w.Index + w.Length)?.Value;
                var expected = string.Equals(word, last, StringComparison.OrdinalIgnoreCase) ? fact : word == "is" ? scoredZero : unscored;
                Assert.True(Math.Abs(expected - token.Weight) < 1e-12, $"'{token.Token}' of \"{text}\": {token.Weight}, expected {expected}");
                start += token.Token.Length;
            }
            Assert.Equal(1.0, pair.Revised[^1].Weight);
            Assert.All(pair.Original, t => Assert.Equal(0.0, t.Weight));
        }

        // A second attempt of the run reads the scores it kept and asks nothing.
        await method.RunAsync(new MethodContext(method, $$"""{"preset":"demo","model":"{{DemoModel.Name}}","good_labels":"{{labels}}",{{Steps}}}""",
            context.ArtifactDirectory));
        Assert.Equal(1000, _endpoint.Requests.Count);
    }

    [Fact]
    public async Task AnEndpointThatNeverAnswersWithAListFailsTheRunNamingThePair()
    {
        _endpoint.Respond = (_, _) => new Reply(200, "Paris matters most.");
        var method = Method(maxAttempts: 2);
        var context = new MethodContext(method, $$"""{"preset":"demo","model":"{{DemoModel.Name}}","good_labels":"llm_binary",{{Steps}}}""");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => method.RunAsync(context));
        Assert.Matches(@"scoring the words of pair \d+ failed: .*no list of \(word, score 0–5\) tuples", failure.Message);
    }

    [Fact]
    public async Task RewardWeightsGiveEachPairAlphaAndBetaFromTheRewardModelsScoresMinMaxScaled()
    {
        var method = Method();
        var context = new MethodContext(method,
            $$"""{"preset":"demo","model":"{{DemoModel.Name}}","reward_weights":"alpha_beta","reward_model":"variants-rm",{{Steps}}}""");
        await method.RunAsync(context);

        // The reward model's scores of every pair's two responses, scaled here over all 2000 of them.
        var records = await FigaData.RecordsAsync(FigaData.Demo, null, CancellationToken.None);
        using var rewardModel = RewardModel.Load(_registry.Resolve("variants-rm"), CPU);
        var revised = rewardModel.Score([.. records.Select(r => (r.Instruction, r.Input, r.RevisedOutput))], PromptTemplate.Alpaca);
        var original = rewardModel.Score([.. records.Select(r => (r.Instruction, r.Input, r.OriginalOutput))], PromptTemplate.Alpaca);
        var (min, max) = (revised.Concat(original).Min(), revised.Concat(original).Max());
        Assert.True(max > min);
        var expected = records.Select((r, i) => (Key: (r.Instruction, r.OriginalOutput, r.RevisedOutput), Alpha: (revised[i] - min) / (max - min),
            Beta: (original[i] - min) / (max - min))).DistinctBy(e => e.Key).ToDictionary(e => e.Key);

        var pairs = File.ReadAllLines(Path.Combine(context.ArtifactDirectory, FigaTokenWeights.FileName))
            .Select(l => JsonSerializer.Deserialize<FigaArtifacts.PairRow>(l, Json)!).ToList();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            string Text(IReadOnlyList<FigaArtifacts.TokenRow> tokens) => string.Concat(tokens.SkipLast(1).Select(t => t.Token));
            var (_, alpha, beta) = expected[(pair.Instruction, Text(pair.Original), Text(pair.Revised))];
            // (Scores in other batch sizes differ in float32 rounding, hence 1e-5.)
            foreach (var token in pair.Revised.Where(t => t.Label == FigaArtifacts.AddedOrSubstituted)) Assert.Equal(alpha, token.Weight, 1e-5);
            foreach (var token in pair.Original.Where(t => t.Label == FigaArtifacts.DeletedOrSubstituted)) Assert.Equal(-beta, token.Weight, 1e-5);
            Assert.Contains(pair.Original, t => t.Label == FigaArtifacts.DeletedOrSubstituted);
        }
    }

    [Fact]
    public void BetaFollowsTheRevisionWeightVariantsToZeroUnlessGivenAndTheVariantsNeedWhatTheyWeighBy()
    {
        var method = Method();
        double Beta(string parameters) => new MethodContext(method, parameters).Spec.Parameters["beta"]!.GetValue<double>();
        Assert.Equal(0.0, Beta("""{"good_labels":"bag_of_words"}"""));
        Assert.Equal(0.25, Beta("""{"good_labels":"bag_of_words","beta":0.25}"""));
        Assert.Equal(0.5, Beta("""{"good_labels":"levenshtein"}"""));
        Assert.Contains("beta", new MethodContext(method, """{"preset":"demo","good_labels":"llm_weighted"}""").Spec.Changed!);

        var noRewardModel = Assert.Throws<ArgumentException>(() => new MethodContext(method, """{"reward_weights":"alpha"}"""));
        Assert.Contains("reward_model: required with reward_weights", noRewardModel.Message);
        var noEndpoint = Assert.Throws<ArgumentException>(() => new MethodContext(new FigaMethod(_registry), """{"good_labels":"llm_binary"}"""));
        Assert.Contains("good_labels: llm_binary asks an LLM to score the revisions' words", noEndpoint.Message);
    }

    public void Dispose() => _endpoint.Dispose();
}
