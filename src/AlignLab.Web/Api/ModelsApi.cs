using AlignLab.Core.Demo;
using AlignLab.Core.Models;
using AlignLab.Web.Auth;
using AlignLab.Web.Models;

namespace AlignLab.Web.Api;

/// <summary>/api/models: the model registry (folders under the model roots) and demo-model creation.</summary>
public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/models").WithTags("Models").RequireAuthorization(Policies.Read);
        group.MapGet("/", (IModelCatalog registry) => TypedResults.Ok(registry.List().Select(ModelDto.From).ToList()))
            .WithName("ListModels").WithSummary("Model folders under the configured roots, and the models runs exported");
        group.MapPost("/demo", async (DemoModelBootstrap demo, IModelCatalog registry, CancellationToken cancellationToken) =>
        {
            await demo.EnsureAsync(cancellationToken);
            return TypedResults.Ok(registry.List().Select(ModelDto.From).Single(m => m.Name == DemoPolicy.BaseModel));
        }).RequireAuthorization(Policies.Launch).WithName("CreateDemoModel").WithSummary("Create the demo model (GPT-2 architecture, random init) if missing");
        return group;
    }
}

/// <param name="Name">The reference runs use; "runs/{id}/export" for a model a run exported.</param>
/// <param name="Problem">Why the folder cannot be used (config, weights, tokenizer or chat template); null when it can.</param>
/// <param name="Memory">Estimated training memory per method and setting, at each method's default batch.</param>
public sealed record ModelDto(string Name, string ModelType, string Architecture, int Layers, int HiddenSize, int VocabularySize, long ParameterBytes,
    bool Exported, long Parameters, string Dtype, int ContextLength, string TokenizerKind, bool HasChatTemplate, IReadOnlyList<int> EosTokenIds,
    string? Problem, IReadOnlyList<MemoryEstimateDto> Memory)
{
    public static ModelDto From(ModelEntry e)
    {
        var d = e.Details;
        return new(e.Name, e.ModelType, e.Architecture, e.Layers, e.HiddenSize, e.VocabularySize, e.ParameterBytes, e.Exported,
            d?.Parameters ?? 0, d?.Dtype ?? "", d?.ContextLength ?? 0, d?.TokenizerKind ?? "", d?.HasChatTemplate ?? false, d?.EosTokenIds ?? [],
            e.Problem, d is null || e.Problem is not null ? [] : [.. Core.Memory.MemoryEstimate.ForModel(d.Shape).Select(MemoryEstimateDto.From)]);
    }
}

/// <param name="Method">The method (sft, figa, reward-model, ppo, r3-ppo).</param>
/// <param name="Setting">full or lora, with fp32 or bf16.</param>
public sealed record MemoryEstimateDto(string Method, string Setting, long Bytes, string Breakdown)
{
    public static MemoryEstimateDto From(Core.Memory.MemoryEstimate e) => new(e.Method, e.Setting, e.Bytes, e.Breakdown);
}
