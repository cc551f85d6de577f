using AlignLab.Training.Registry;
using AlignLab.Web.Models;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/models: the model registry (folders under the model roots) and demo-model creation.</summary>
public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/models").WithTags("Models").RequireAuthorization(Policies.Read);
        group.MapGet("/", (ModelRegistry registry) => TypedResults.Ok(registry.List().Select(ModelDto.From).ToList()))
            .WithName("ListModels").WithSummary("Model folders under the configured roots, and the models runs exported");
        group.MapPost("/demo", async (DemoModelBootstrap demo, ModelRegistry registry, CancellationToken cancellationToken) =>
        {
            await demo.EnsureAsync(cancellationToken);
            return TypedResults.Ok(registry.List().Select(ModelDto.From).Single(m => m.Name == Training.Demo.DemoModel.Name));
        }).RequireAuthorization(Policies.Launch).WithName("CreateDemoModel").WithSummary("Create the demo model (GPT-2 architecture, random init) if missing");
        return group;
    }
}

/// <param name="Name">The reference runs use; "runs/{id}/export" for a model a run exported.</param>
public sealed record ModelDto(string Name, string ModelType, string Architecture, int Layers, int HiddenSize, int VocabularySize, long ParameterBytes, bool Exported)
{
    public static ModelDto From(ModelRegistry.Entry e) =>
        new(e.Name, e.ModelType, e.Architecture, e.Layers, e.HiddenSize, e.VocabularySize, e.ParameterBytes, e.Exported);
}
