using AlignLab.Web.Auth;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace AlignLab.Web.Hosting;

/// <summary>The OpenAPI document of the REST API (/openapi/v1.json) and its interactive reference page (/reference),
/// both for signed-in callers; the document declares the API-key scheme every operation uses.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/reference";

    public static IServiceCollection AddAlignLabOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "AlignLab API",
                Version = "v1",
                Description = "Runs, datasets, models and previews of fine-grained alignment experiments (FIGA, fine-grained PPO, R³ PPO). " +
                              "Authenticate with an API key: Authorization: Bearer alk_… (make one on /account). Live metrics: the SignalR hub /hubs/runs.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An AlignLab API key (alk_…), sent as a bearer token.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] }];
            return Task.CompletedTask;
        }));

    public static void MapAlignLabOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(Policies.Read);
        app.MapScalarApiReference(ReferencePath, o => o
                .WithTitle("AlignLab API")
                .WithOpenApiRoutePattern(DocumentPath))
            .RequireAuthorization(Policies.Read);
    }
}
