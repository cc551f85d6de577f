using AlignLab.Core.Datasets;

namespace AlignLab.Core.Demo;

/// <summary>The datasets that come with the platform, generated from the demo data (deterministic for their seeds), in
/// one place: the methods load them from here, and /datasets lists them for browsing beside the stored ones.</summary>
public static class BuiltInDatasets
{
    /// <param name="UsedBy">The methods that offer it, by name.</param>
    public sealed record BuiltIn(string Name, string Kind, string Description, IReadOnlyList<string> UsedBy, Func<IReadOnlyList<SpaRecord>> Records)
    {
        public StoredDataset Load() => new(Guid.Empty, Kind, Records());
    }

    public static readonly BuiltIn Demo = new("demo", DatasetKinds.Pool,
        "The demo instructions with their right answers (2,000): what SFT teaches the demo model.", ["sft"],
        () => [.. DemoData.Generate().Select(e => new SpaRecord(e.Instruction, e.Input, e.Response, "", ""))]);

    public static readonly BuiltIn DemoSpaInitial = new("demo-spa-initial", DatasetKinds.Pool,
        "The initial, wrong answers of the demo SPA pairs (1,000): SFT on them makes the demo policy, confident in the mistakes FIGA corrects.", ["sft"],
        () => [.. DemoData.GeneratePairs(1000, seed: 11).Select(p => new SpaRecord(p.Example.Instruction, p.Example.Input, p.WrongResponse, "", ""))]);

    public static readonly BuiltIn DemoSpa = new("demo-spa", DatasetKinds.Spa,
        "SPA pairs (1,000): a wrong fact as the initial response, its minimal revision the right one.", ["figa"],
        () => [.. DemoData.GeneratePairs(1000, seed: 11).Select(p => new SpaRecord(p.Example.Instruction, p.Example.Input, p.Example.Response, p.WrongResponse, p.Example.Response))]);

    /// <summary>Pairs where only the edited span (the fact) decides preference: the initial response states a wrong fact, its
    /// minimal edit the right one, and the standard "chosen" response is the right fact wrapped in a friendly style that the
    /// rejected one never has, a shortcut a sequence-level reward model on the original pairs can take.</summary>
    public static readonly BuiltIn DemoEdits = new("demo-edits", DatasetKinds.Spa,
        "Minimal edits (1,000) for reward models: only the edited fact decides; the standard 'chosen' answer adds a style shortcut.", ["reward-model"],
        () => [.. DemoData.GeneratePairs(1000, 17).Select(p => new SpaRecord(p.Example.Instruction, p.Example.Input,
            $"Sure! {p.Example.Response} I hope this helps.", p.WrongResponse, p.Example.Response))]);

    public static readonly BuiltIn DemoPool = new("demo-pool", DatasetKinds.Pool,
        "Questions with reference answers (200): the instance pool of an SPA construction.", ["spa-construction"],
        () => [.. DemoData.Generate(200, seed: 21).Select(e => new SpaRecord(e.Instruction, e.Input, e.Response, "", ""))]);

    public static readonly BuiltIn DemoPrompts = new("demo-prompts", DatasetKinds.Pool,
        "The demo questions (500): PPO's prompts.", ["ppo"],
        () => [.. DemoData.Generate(500, seed: 31).Select(e => new SpaRecord(e.Instruction, e.Input, e.Response, "", ""))]);

    /// <summary>The demo questions, closed-ended with their answers as references, and open-ended requests about the same
    /// things, so that both of R³'s branches run.</summary>
    public static readonly BuiltIn DemoR3 = new("demo-r3", DatasetKinds.Pool,
        "Closed-ended questions with reference answers and open-ended requests (300, labelled CE / OE): R³'s queries.", ["r3-ppo", "query-types"],
        () => [.. DemoData.Generate(300, seed: 41).Select((e, i) => i % 2 == 0
            ? new SpaRecord(e.Instruction, e.Input, e.Response, "", "", "CE")
            : new SpaRecord($"Tell me something about this: {e.Instruction}", e.Input, e.Response, "", "", "OE"))]);

    /// <summary>Demo questions the training sets do not hold (their seed is their own), with their right answers as references.</summary>
    public static readonly BuiltIn DemoEvalGeneration = new("demo-eval-generation", DatasetKinds.Generation,
        "Evaluation prompts (40) with reference answers: the demo models' responses are scored by reward, judge and text statistics.", ["evaluate", "figa", "sft", "ppo", "r3-ppo"],
        () => [.. DemoData.Generate(40, seed: 61).Select((e, i) => new SpaRecord(e.Instruction, e.Input, e.Response, "", "", i % 2 == 0 ? "CE" : ""))]);

    public static readonly BuiltIn DemoEvalChoices = new("demo-eval-choices", DatasetKinds.MultipleChoice,
        "Multiple-choice items (18): every demo capital and fruit colour, the right fact among three wrong ones.", ["evaluate", "figa", "sft", "ppo", "r3-ppo"],
        () => [.. DemoData.MultipleChoice().Select(c => new SpaRecord(c.Question, "", "", "", "", "", c.Answers, c.Answer, c.Group))]);

    public static readonly IReadOnlyList<BuiltIn> All = [Demo, DemoSpaInitial, DemoSpa, DemoEdits, DemoPool, DemoPrompts, DemoR3, DemoEvalGeneration, DemoEvalChoices];

    public static BuiltIn? Find(string name) => All.FirstOrDefault(d => d.Name == name);
}
