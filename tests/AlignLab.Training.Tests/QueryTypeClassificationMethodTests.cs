using AlignLab.Core.Datasets;
using AlignLab.Core.R3;
using AlignLab.Core.Tokenization;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Common;
using AlignLab.Training.Methods.R3;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using static TorchSharp.torch;

namespace AlignLab.Training.Tests;

/// <summary>The query-type job with a scripted endpoint and an in-memory dataset store: labels and agreement, a labelled
/// copy written once, unanswered queries failing the run and asked again (alone) on retry; and the local-model
/// classifier choosing the likelier of the two answers.</summary>
public sealed class QueryTypeClassificationMethodTests
{
    private static readonly SpaRecord[] Records =
    [
        new("What is the capital of Peru?", "", "Lima.", "", "", "CE"),
        new("Write a poem", "about rain", "Drops...", "", "", "OE"),
        new("How many legs does a spider have?", "", "Eight.", "", "", "OE"),    // a wrong label: the classifier disagrees
        new("Tell me a story", "", "Once...", "", "", null),
    ];

    private sealed class MemoryStore(StoredDataset dataset) : IDatasetStore
    {
        public List<(Guid RunId, string Name, string Kind, IReadOnlyList<SpaRecord> Records)> Saved { get; } = [];

        public Task<StoredDataset> LoadAsync(Guid id, CancellationToken cancellationToken = default) =>
            id == dataset.Id ? Task.FromResult(dataset) : throw new KeyNotFoundException($"no dataset {id}");

        public Task<Guid> SaveFromRunAsync(Guid runId, string name, string kind, IReadOnlyList<SpaRecord> records, object stats, CancellationToken cancellationToken = default)
        {
            Saved.Add((runId, name, kind, records));
            return Task.FromResult(Guid.NewGuid());
        }
    }

    /// <summary>Closed-ended for questions with "many" or "capital", open-ended otherwise; no answer for those in Silent.</summary>
    private sealed class ScriptedEndpoint : IQueryTypeEndpoint, IQueryTypeClassifier
    {
        public HashSet<string> Silent { get; } = [];
        public List<string> Asked { get; } = [];
        public string? NotConfiguredReason { get; set; }
        public IQueryTypeClassifier Classifier(string model) => this;

        public Task<IReadOnlyList<QueryTypeVerdict>> ClassifyAsync(IReadOnlyList<string> conversations, CancellationToken cancellationToken)
        {
            Asked.AddRange(conversations);
            return Task.FromResult<IReadOnlyList<QueryTypeVerdict>>([.. conversations.Select(c =>
                Silent.Any(c.Contains) ? new QueryTypeVerdict(null, "", "endpoint answered 503")
                : c.Contains("many") || c.Contains("capital") ? new QueryTypeVerdict(QueryType.ClosedEnded, "CLOSED-ENDED")
                : new QueryTypeVerdict(QueryType.OpenEnded, "OPEN-ENDED"))]);
        }

        public void Dispose() { }
    }

    private static readonly StoredDataset Dataset = new(Guid.NewGuid(), DatasetKinds.Pool, Records);

    [Fact]
    public async Task TheEndpointsLabelsGoIntoALabelledCopyWithCountsAndAgreement()
    {
        var store = new MemoryStore(Dataset);
        var endpoint = new ScriptedEndpoint();
        var method = new QueryTypeClassificationMethod(new ModelRegistry([TinyModels.TempFolder()]), store, endpoint);
        var context = new MethodContext(method, $$"""{"dataset":"{{Dataset.Id}}","classifier":"endpoint"}""");
        await method.RunAsync(context);

        Assert.Equal(["USER: What is the capital of Peru?", "USER: Write a poem\nabout rain", "USER: How many legs does a spider have?", "USER: Tell me a story"], endpoint.Asked);
        var saved = Assert.Single(store.Saved);
        Assert.Equal((context.RunId, DatasetKinds.Pool), (saved.RunId, saved.Kind));
        Assert.Equal(["CE", "OE", "CE", "OE"], saved.Records.Select(r => r.QueryType));
        Assert.Equal(Records.Select(r => r with { QueryType = null }), saved.Records.Select(r => r with { QueryType = null }));
        // Three labelled records, two agree: CE→CE, OE→OE, OE→CE. κ: labels OE 2/3, predictions OE 1/3 → chance
        // 2/3·1/3 + 1/3·2/3 = 4/9; κ = (2/3 − 4/9) / (5/9) = 0.4.
        Assert.Equal([2.0], context.Series("open_ended"));
        Assert.Equal([2.0], context.Series("closed_ended"));
        Assert.Equal([3.0], context.Series("labelled"));
        Assert.Equal(2.0 / 3, context.Series("agreement").Single(), 12);
        Assert.Equal(0.4, context.Series("kappa").Single(), 12);
        Assert.True(File.Exists(Path.Combine(context.ArtifactDirectory, AlignLab.Core.R3.QueryTypeArtifacts.SummaryFile)));
    }

    [Fact]
    public async Task UnansweredQueriesFailTheRunWithoutADatasetAndARetryAsksOnlyThem()
    {
        var store = new MemoryStore(Dataset);
        var endpoint = new ScriptedEndpoint { Silent = { "spider" } };
        var method = new QueryTypeClassificationMethod(new ModelRegistry([TinyModels.TempFolder()]), store, endpoint);
        var context = new MethodContext(method, $$"""{"dataset":"{{Dataset.Id}}","classifier":"endpoint"}""");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => method.RunAsync(context));
        Assert.Contains("classifier: 1 of 4 queries got no usable answer (query 2: endpoint answered 503)", error.Message);
        Assert.Empty(store.Saved);

        endpoint.Silent.Clear();
        endpoint.Asked.Clear();
        var retry = new MethodContext(method, $$"""{"dataset":"{{Dataset.Id}}","classifier":"endpoint"}""", context.ArtifactDirectory);
        await method.RunAsync(retry);
        Assert.Equal(["USER: How many legs does a spider have?"], endpoint.Asked);
        Assert.Equal(["CE", "OE", "CE", "OE"], Assert.Single(store.Saved).Records.Select(r => r.QueryType));
    }

    [Fact]
    public async Task AnUnconfiguredEndpointOrAMissingDatasetFailsBeforeAnythingIsAsked()
    {
        var endpoint = new ScriptedEndpoint { NotConfiguredReason = "no chat-completions endpoint is configured (AlignLab:Revision:Endpoint)" };
        var method = new QueryTypeClassificationMethod(new ModelRegistry([TinyModels.TempFolder()]), new MemoryStore(Dataset), endpoint);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => method.RunAsync(new MethodContext(method, $$"""{"dataset":"{{Dataset.Id}}","classifier":"endpoint"}""")));
        Assert.StartsWith("classifier: no chat-completions endpoint is configured (AlignLab:Revision:Endpoint); configure one, or choose classifier=model", error.Message);
        endpoint.NotConfiguredReason = null;
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => method.RunAsync(new MethodContext(method, $$"""{"dataset":"{{Guid.Empty}}","classifier":"endpoint"}""")));
        Assert.StartsWith("dataset: no dataset", missing.Message);
        Assert.Empty(endpoint.Asked);
    }

    [Fact]
    public void TheLocalClassifierPicksTheLikelierAnswerAndBatchesWithoutChangingScores()
    {
        var root = TinyModels.TempFolder();
        var folder = Path.Combine(root, DemoModel.Name);
        DemoModel.Ensure(folder);
        using var model = ModelFolder.Load(folder);
        var tokenizer = TextTokenizer.Load(folder);
        string[] conversations = ["USER: What is two plus two?", "USER: Write a long poem about the sea and the sky", "USER: Where does a camel live?"];
        using var classifier = new LocalQueryTypeClassifier(model, tokenizer, PromptTemplate.Alpaca, CPU, batchSize: 4);
        var batched = classifier.AnswerLogLikelihoods(conversations);

        // Each answer scored alone, without padding: log p(answer tokens, EOS | prompt) summed token by token.
        for (int i = 0; i < conversations.Length; i++)
        {
            foreach (var (answer, k) in new[] { (QueryTypePrompt.OpenEndedAnswer, 0), (QueryTypePrompt.ClosedEndedAnswer, 1) })
            {
                var (fullPrompt, response) = PromptTemplate.Alpaca.Encode(tokenizer, QueryTypePrompt.Render(conversations[i]), "", answer);
                // The demo model has 256 positions; the prompt (over 300 tokens) keeps its last 256 − |answer|.
                Assert.True(fullPrompt.Length + response.Length > model.Config.MaxPositions);
                var prompt = fullPrompt[^(model.Config.MaxPositions - response.Length)..];
                using var scope = NewDisposeScope();
                using var ids = tensor(prompt.Concat(response).Select(t => (long)t).ToArray(), [1, prompt.Length + response.Length]);
                using var logits = model.Forward(ids);
                var logp = TorchSharp.torch.nn.functional.log_softmax(logits[0].to(ScalarType.Float64), -1);
                double expected = 0;
                for (int t = 0; t < response.Length; t++) expected += logp[prompt.Length + t - 1, response[t]].item<double>();
                Assert.Equal(expected, batched[2 * i + k], 3);
            }
        }
        var verdicts = classifier.ClassifyAsync(conversations, CancellationToken.None).Result;
        for (int i = 0; i < conversations.Length; i++)
            Assert.Equal(batched[2 * i] >= batched[2 * i + 1] ? QueryType.OpenEnded : QueryType.ClosedEnded, verdicts[i].Type);
        Assert.StartsWith(verdicts[0].Type == QueryType.OpenEnded ? "OPEN-ENDED (log p" : "CLOSED-ENDED (log p", verdicts[0].Answer);
    }
}
