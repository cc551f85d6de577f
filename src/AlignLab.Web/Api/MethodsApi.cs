using AlignLab.Core.Methods;
using AlignLab.Web.Auth;

namespace AlignLab.Web.Api;

/// <summary>/api/methods: the training methods and their parameter schemas (what the wizard renders).</summary>
public static class MethodsApi
{
    public static RouteGroupBuilder MapMethodsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/methods").WithTags("Methods").RequireAuthorization(Policies.Read);
        group.MapGet("/", (MethodCatalog catalog) => TypedResults.Ok(catalog.Descriptors)).WithName("ListMethods");
        return group;
    }
}
