using System.Text.Json.Nodes;
using AlignLab.Core.Figa;
using AlignLab.Core.Methods;

namespace AlignLab.Core.Tests;

public class ParameterSchemaTests
{
    private sealed record Steps
    {
        public long Max { get; init; } = 100;
        public double Rate { get; init; } = 1e-3;
    }

    private sealed record Options
    {
        public int Count { get; init; } = 3;
        public bool Fast { get; init; } = true;
        public string Note { get; init; } = "hi";
        public BadTokenSelection Selection { get; init; } = BadTokenSelection.AuthorsCode;
        public GoodTokenLabels Labels { get; init; } = GoodTokenLabels.BagOfWords;
        public Steps Steps { get; init; } = new() { Rate = 0.5 };
        public string Unbound { get; init; } = "kept";
    }

    private static readonly ParameterSchema<Steps> StepsSchema = new ParameterSchema<Steps>()
        .Integer(s => s.Max, "max_steps", 1, 1000, "Steps.")
        .Number(s => s.Rate, "rate", 0, 1, "Rate.");

    private static readonly ParameterSchema<Options> Schema = new ParameterSchema<Options>()
        .Integer(o => o.Count, "count", 0, 10, "How many.")
        .Group(o => o.Steps, StepsSchema)
        .Boolean(o => o.Fast, "fast", "Fast.")
        .Text(o => o.Note, "note", 20, "A note.")
        .Choice(o => o.Selection, "bad_selection", "Which.")
        .Choice(o => o.Labels, "good_labels", "Labels.");

    /// <summary>What the run-request validator makes of a request: every spec's default, overridden by what is given.</summary>
    private static MethodParameters Resolve(IReadOnlyList<ParameterSpec> specs, string given)
    {
        var request = JsonNode.Parse(given)!.AsObject();
        var values = new Dictionary<string, JsonNode?>();
        foreach (var spec in specs)
        {
            if (request[spec.Name] is { } value)
            {
                Assert.Null(spec.Validate(value, out var normalized));
                values[spec.Name] = normalized;
            }
            else values[spec.Name] = spec.Default.DeepClone();
        }
        return new MethodParameters(values);
    }

    [Fact]
    public void SpecsFollowTheDeclarationWithDefaultsFromTheDefaultRecordAndGroupsInline()
    {
        var specs = Schema.Specs(new Options());
        Assert.Equal(new[] { "count", "max_steps", "rate", "fast", "note", "bad_selection", "good_labels" }, specs.Select(s => s.Name));
        Assert.Equal(3, specs[0].Default.GetValue<long>());
        Assert.Equal((100L, 0.5), (specs[1].Default.GetValue<long>(), specs[2].Default.GetValue<double>()));   // the group's default as Options sets it
        Assert.Equal((true, "hi"), (specs[3].Default.GetValue<bool>(), specs[4].Default.GetValue<string>()));
        Assert.Equal(new[] { "paper", "authors_code", "none", "inverted" }, specs[5].Choices!);
        Assert.Equal(("authors_code", "bag_of_words"), (specs[5].Default.GetValue<string>(), specs[6].Default.GetValue<string>()));
        Assert.Equal((0.0, 10.0), (specs[0].Min, specs[0].Max));

        // Another record's defaults give another schema's defaults, from the same declaration.
        var other = Schema.Specs(new Options { Count = 7, Steps = new Steps { Max = 5 } });
        Assert.Equal((7L, 5L), (other[0].Default.GetValue<long>(), other[1].Default.GetValue<long>()));
    }

    [Fact]
    public void BindingTheDefaultsGivesTheDefaultRecordAndEachGivenValueLandsInItsProperty()
    {
        var defaults = new Options();
        Assert.Equal(defaults, Schema.Bind(Resolve(Schema.Specs(defaults), "{}"), defaults));

        var bound = Schema.Bind(Resolve(Schema.Specs(defaults),
            """{"count":9,"max_steps":12,"rate":0.25,"fast":false,"note":"x","bad_selection":"inverted","good_labels":"levenshtein"}"""), defaults);
        Assert.Equal(new Options
        {
            Count = 9, Steps = new Steps { Max = 12, Rate = 0.25 }, Fast = false, Note = "x",
            Selection = BadTokenSelection.Inverted, Labels = GoodTokenLabels.Levenshtein,
        }, bound);
        Assert.Equal("kept", bound.Unbound);
        Assert.Equal(new Options(), defaults);                     // binding copies; the defaults stay as they were
    }

    [Fact]
    public void AParameterMissingFromTheResolvedSpecIsAnError()
    {
        var values = new Dictionary<string, JsonNode?> { ["count"] = JsonValue.Create(1L) };
        var error = Assert.Throws<KeyNotFoundException>(() => Schema.Bind(new MethodParameters(values), new Options()));
        Assert.Contains("max_steps", error.Message);
    }

    [Theory]
    [InlineData("BagOfWords", "bag_of_words")]
    [InlineData("Threshold", "threshold")]
    [InlineData("ChangedTokens", "changed_tokens")]
    public void EnumMembersAreOfferedInSnakeCase(string member, string expected) =>
        Assert.Equal(expected, ParameterSchema<Options>.SnakeCase(member));
}
