using System.Diagnostics;
using AlignLab.Core.Checkpoints;
using AlignLab.Core.Methods;
using AlignLab.Core.Metrics;
using AlignLab.Core.Runs;
using AlignLab.Training.Demo;
using AlignLab.Training.Inference;
using AlignLab.Training.Methods.Sft;
using AlignLab.Training.Models;
using AlignLab.Training.Registry;
using AlignLab.Training.Tokenization;

namespace AlignLab.Bench;

/// <summary>Creates the demo model, fine-tunes it with the SFT defaults on the demo data, and prints the time
/// it took, the loss curve's ends and greedy answers to a few demo questions.</summary>
public static class DemoTrainingBenchmark
{
    public static async Task RunAsync()
    {
        var root = Directory.CreateTempSubdirectory("alignlab-demo-").FullName;
        var clock = Stopwatch.StartNew();
        DemoModel.Ensure(Path.Combine(root, DemoModel.Name));
        Console.WriteLine($"demo model created in {clock.Elapsed.TotalSeconds:0.0} s");

        var registry = new ModelRegistry([root]);
        var method = new SftMethod(registry);
        var spec = new RunRequestValidator(new MethodCatalog([method])).Validate(System.Text.Json.Nodes.JsonNode.Parse("""{"method":"sft"}""")).Spec!;
        var context = new Context(spec, Path.Combine(root, "run"));
        clock.Restart();
        await method.RunAsync(context);
        var eval = context.Points.Where(p => p.Name == "eval_loss").ToList();
        Console.WriteLine($"SFT with defaults ({spec.Parameters["max_steps"]} steps): {clock.Elapsed.TotalSeconds:0.0} s; eval_loss {eval[0].Value:0.000} → {eval[^1].Value:0.000}");

        var export = Path.Combine(context.ArtifactDirectory, "export");
        using var model = ModelFolder.Load(export);
        var tokenizer = TextTokenizer.Load(export);
        foreach (var question in new[] { "What is the capital of Japan?", "What color is a lime?", "Where does a camel live?", "What is two plus three?" })
        {
            var prompt = tokenizer.Encode(PromptTemplate.Alpaca.Render(question, ""));
            var answer = TextGenerator.Generate(model, [prompt], new GenerationOptions { MaxNewTokens = 24, Temperature = 0, EosTokenId = tokenizer.EosTokenId })[0];
            Console.WriteLine($"  {question} → {tokenizer.Decode(answer.Tokens)}");
        }
    }

    private sealed class Context(RunSpec spec, string directory) : IRunContext, IMetricsSink
    {
        public Guid RunId { get; } = Guid.NewGuid();
        public RunSpec Spec => spec;
        public MethodParameters Parameters => new(spec.Parameters);
        public IMetricsSink Metrics => this;
        public ICheckpointStore Checkpoints { get; } = new FileCheckpointStore(Path.Combine(directory, "checkpoints"));
        public string ArtifactDirectory => directory;
        public CancellationToken CancellationToken => CancellationToken.None;
        public List<(long Step, string Name, double Value)> Points { get; } = [];
        public void Report(long step, string name, double value) => Points.Add((step, name, value));
        public void ReportProgress(long step, long totalSteps) { }
    }
}
