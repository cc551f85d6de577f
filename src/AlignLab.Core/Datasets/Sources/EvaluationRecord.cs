using System.Text.Json.Nodes;

namespace AlignLab.Core.Datasets.Sources;

/// <summary>Records in the evaluation kinds' file fields (<see cref="DatasetLayout.MultipleChoice"/>,
/// <see cref="DatasetLayout.Generation"/>); optional fields are left out when there is nothing to put in them.</summary>
internal static class EvaluationRecord
{
    public static JsonObject MultipleChoice(string prompt, IEnumerable<string> choices, int answer, string? group = null)
    {
        var record = new JsonObject
        {
            ["prompt"] = prompt,
            ["choices"] = new JsonArray(choices.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["answer"] = answer,
        };
        if (group is not null) record["group"] = group;
        return record;
    }

    public static JsonObject Generation(string prompt, string? reference = null)
    {
        var record = new JsonObject { ["prompt"] = prompt };
        if (reference is not null) record["reference"] = reference;
        return record;
    }
}
