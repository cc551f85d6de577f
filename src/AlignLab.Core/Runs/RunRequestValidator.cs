using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Core.Methods;

namespace AlignLab.Core.Runs;

/// <summary>Turns a run request (the JSON a client or the wizard sends) into a resolved <see cref="RunSpec"/>,
/// or into errors keyed by field path ("method", "parameters.steps", …). All errors are collected,
/// not just the first.</summary>
public sealed class RunRequestValidator(MethodCatalog catalog, IModelReferenceCheck? models = null, IDatasetReferenceCheck? datasets = null)
{
    public const int MaxNameLength = 200;

    /// <summary>The prompt template that renders the model's own chat template.</summary>
    public const string ModelTemplate = "model";

    public RunRequestValidation Validate(JsonNode? request)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Fail(string field, string message) =>
            (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);

        if (request is not JsonObject body)
        {
            Fail("$", "the request body must be a JSON object");
            return RunRequestValidation.Failed(errors);
        }

        foreach (var (key, _) in body)
            if (key is not ("method" or "name" or "queue" or "parameters"))
                Fail(key, "unknown field; expected method, name, queue, parameters");

        ITrainingMethod? method = null;
        if (TryString(body["method"], out var methodName) && methodName.Length > 0)
        {
            method = catalog.Find(methodName);
            if (method is null)
                Fail("method", $"unknown method '{methodName}'; known: {string.Join(", ", catalog.Descriptors.Select(d => d.Name))}");
        }
        else Fail("method", "required: the name of a training method");

        var name = methodName ?? "";
        if (body["name"] is { } nameNode)
        {
            if (!TryString(nameNode, out var given)) Fail("name", "must be a string");
            else if (Text.TextRules.Problem(given) is { } problem) Fail("name", problem);
            else if (given.Length > MaxNameLength) Fail("name", $"must be at most {MaxNameLength} characters");
            else if (given.Trim().Length > 0) name = given.Trim();
        }

        var queue = method?.Descriptor.DefaultQueue ?? "default";
        if (body["queue"] is { } queueNode)
        {
            if (!TryString(queueNode, out var given) || !RunSpec.Queues.Contains(given))
                Fail("queue", $"must be one of {string.Join(", ", RunSpec.Queues)}");
            else queue = given;
        }

        var givenParameters = body["parameters"];
        if (givenParameters is not null and not JsonObject)
            Fail("parameters", "must be an object of parameter names to values");

        var resolved = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        string? preset = null;
        IReadOnlyDictionary<string, JsonNode?>? presetValues = null;
        if (method is not null)
        {
            var schema = method.Descriptor.Parameters;
            (preset, presetValues) = ChoosePreset(method.Descriptor, givenParameters as JsonObject, Fail);
            if (givenParameters is JsonObject parameters)
                foreach (var (key, _) in parameters)
                    if (!schema.Any(p => p.Name == key) && !(key == Presets.ParameterName && presetValues is not null))
                        Fail($"parameters.{key}", $"unknown parameter of {method.Descriptor.Name}; known: {string.Join(", ", schema.Select(p => p.Name))}");

            foreach (var parameter in schema)
            {
                var value = (givenParameters as JsonObject)?[parameter.Name];
                string? error;
                JsonNode? normalized;
                if (value is null && (givenParameters as JsonObject)?.ContainsKey(parameter.Name) != true)
                    (error, normalized) = (null, (presetValues?.GetValueOrDefault(parameter.Name) ?? parameter.Default)?.DeepClone());   // a default model is checked like a given one
                else
                    error = parameter.Validate(value, out normalized);
                if (error is null && parameter.Kind == ParameterKind.Model && normalized?.GetValue<string>() is { } reference)
                {
                    if (reference.Trim().Length == 0 && parameter.Role == ModelRole.Policy)
                        error = "required: a model folder under a model root, or a run's export (runs/{id}/export)";
                    else if (reference.Length > 0 && models is not null)
                        error = models.Check(reference, parameter.Role ?? ModelRole.Policy);
                }
                // Every model of a list is checked as one named alone would be, and the first that cannot be used is named.
                if (error is null && parameter.Kind == ParameterKind.Models && models is not null)
                    error = normalized!.AsArray().Select(m => m!.GetValue<string>())
                        .Select(m => models.Check(m, parameter.Role ?? ModelRole.Policy) is { } problem ? $"{m}: {problem}" : null)
                        .FirstOrDefault(p => p is not null);
                if (error is null && datasets is not null && parameter.Kind is ParameterKind.Dataset or ParameterKind.Datasets)
                    error = CheckDatasets(parameter, normalized);
                if (error is not null) Fail($"parameters.{parameter.Name}", error);
                else resolved[parameter.Name] = normalized;
            }
        }

        // Defaults that follow another parameter (FIGA's r̃ variants with β = 0), for parameters the request left out.
        if (method is not null && errors.Count == 0)
            foreach (var linked in method.Descriptor.LinkedDefaults)
                if ((givenParameters as JsonObject)?.ContainsKey(linked.Parameter) != true && linked.AppliesTo(resolved))
                    resolved[linked.Parameter] = linked.Value?.DeepClone();

        if (method is not null && errors.Count == 0)
            foreach (var (parameter, error) in method.CheckCombination(resolved, preset))
                Fail($"parameters.{parameter}", error);

        // Each model's own chat template (the policy's, a decoder reward model's) must exist and render; known only once the
        // models are known.
        if (models is not null && method is not null && resolved.GetValueOrDefault("template") is JsonValue t && t.GetValue<string>() == ModelTemplate)
            foreach (var parameter in method.Descriptor.Parameters.Where(p => p.Kind is ParameterKind.Model or ParameterKind.Models))
                foreach (var model in resolved.GetValueOrDefault(parameter.Name) switch
                         {
                             JsonValue m => [m.GetValue<string>()],
                             JsonArray list => list.Select(m => m!.GetValue<string>()),
                             _ => [],
                         })
                    if (model.Length > 0 && !errors.ContainsKey($"parameters.{parameter.Name}") && models.CheckChatTemplate(model) is { } templateError)
                        Fail("parameters.template", templateError);

        return errors.Count > 0
            ? RunRequestValidation.Failed(errors)
            : RunRequestValidation.Ok(new RunSpec(method!.Descriptor.Name, name, queue, resolved, preset,
                presetValues is null ? null : [.. method.Descriptor.Parameters.Select(p => p.Name)
                    .Where(n => !JsonNode.DeepEquals(resolved.GetValueOrDefault(n), presetValues.GetValueOrDefault(n)))],
                EstimateMemory(method.Descriptor.Name, resolved)));
    }

    /// <summary>The run's memory estimate, from its policy model's sizes; null without a model check, a model parameter or a
    /// readable model.</summary>
    public Memory.MemoryEstimate? EstimateMemory(string method, IReadOnlyDictionary<string, JsonNode?> parameters) =>
        models is not null && parameters.GetValueOrDefault("model") is JsonValue model && model.TryGetValue<string>(out var reference)
            && models.ShapeOf(reference) is { } shape
            ? Memory.RunMemoryEstimate.For(method, parameters, shape)
            : null;

    /// <summary>The first dataset id of a dataset parameter (one, or a list) that names no dataset of a kind the parameter
    /// takes; built-in names were checked with the value.</summary>
    private string? CheckDatasets(ParameterSpec parameter, JsonNode? value)
    {
        var references = value switch
        {
            JsonValue one => [one.GetValue<string>()],
            JsonArray list => list.Select(d => d!.GetValue<string>()).ToList(),
            _ => [],
        };
        foreach (var (reference, i) in references.Select((r, i) => (r, i)))
            if (Guid.TryParse(reference, out var id) && datasets!.Check(id, parameter.DatasetKinds) is { } problem)
                return parameter.Kind == ParameterKind.Datasets ? $"item {i}: {problem}" : problem;
        return null;
    }

    /// <summary>The preset the request names in <c>parameters.preset</c>, or <see cref="Presets.Paper"/>; none for a method
    /// without presets. An unknown name is an error, and the paper's values stand in so that the rest is still checked.</summary>
    private static (string? Name, IReadOnlyDictionary<string, JsonNode?>? Values) ChoosePreset(MethodDescriptor method, JsonObject? parameters,
        Action<string, string> fail)
    {
        if (method.Presets.Count == 0) return (null, null);
        var name = method.Presets.ContainsKey(Presets.Paper) ? Presets.Paper : method.Presets.Keys.First();
        if (parameters?.ContainsKey(Presets.ParameterName) == true)
        {
            if (TryString(parameters[Presets.ParameterName], out var given) && method.Presets.ContainsKey(given)) name = given;
            else fail($"parameters.{Presets.ParameterName}", $"must be one of {string.Join(", ", method.Presets.Keys)}");
        }
        return (name, method.Presets[name]);
    }

    private static bool TryString(JsonNode? node, out string value)
    {
        value = "";
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            try { value = v.GetValue<string>(); }
            catch (InvalidOperationException) { value = "\ud800"; }   // an escaped lone surrogate: TextRules names it
            return true;
        }
        return false;
    }
}

public sealed record RunRequestValidation(RunSpec? Spec, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Spec is not null;

    public static RunRequestValidation Ok(RunSpec spec) => new(spec, new Dictionary<string, string[]>());

    public static RunRequestValidation Failed(Dictionary<string, List<string>> errors) =>
        new(null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
}
