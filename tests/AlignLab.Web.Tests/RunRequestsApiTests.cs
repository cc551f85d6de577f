using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlignLab.Testing;
using Npgsql;

namespace AlignLab.Web.Tests;

/// <summary>Requests to the runs API that are refused or only read: one web app serves the whole class.</summary>
[Collection(PostgresCollection.Second)]
public sealed class RunRequestsApiTests(SharedWebApp app) : IClassFixture<SharedWebApp>
{
    [Theory]
    [InlineData("""{"method":"warp"}""", "method")]
    [InlineData("""{"method":"smoke","parameters":{"steps":0}}""", "parameters.steps")]
    [InlineData("""{"method":"smoke","parameters":{"delay_ms":"fast"}}""", "parameters.delay_ms")]
    [InlineData("""{"method":"smoke","queue":"tpu"}""", "queue")]
    [InlineData("""{"method":"smoke","parameters":{"steps":5,}""", "$.parameters")]
    [InlineData("""{"method":""", "$.method")]
    [InlineData("""{"method":"smoke","parameters":{"steps":[1,}}""", "$.parameters.steps")]
    [InlineData("", "$")]
    [InlineData("""{"method":"smoke","parameters":{"steps":5,"steps":6}}""", "$.parameters.steps")]
    [InlineData("""{"method":"figa","parameters":{"micro_batches_per_pass":0}}""", "parameters.micro_batches_per_pass")]
    [InlineData("""{"method":"figa","parameters":{"micro_batches_per_pass":1e30}}""", "parameters.micro_batches_per_pass")]
    [InlineData("""{"method":"figa","parameters":{"micro_batches_per_pass":"2\u0000"}}""", "parameters.micro_batches_per_pass")]
    [InlineData("""{"method":"figa","parameters":{"micro_batches_per_pass":"\ud800"}}""", "parameters.micro_batches_per_pass")]
    [InlineData("""{"method":"figa","parameters":{"micro_batches_per_pass":[4]}}""", "parameters.micro_batches_per_pass")]
    [InlineData("""{"method":"ppo","parameters":{"generation_batch_size":-1}}""", "parameters.generation_batch_size")]
    [InlineData("""{"method":"ppo","parameters":{"disable_dropout":"no"}}""", "parameters.disable_dropout")]
    [InlineData("""{"method":"figa","parameters":{"disable_dropout":0}}""", "parameters.disable_dropout")]
    [InlineData("""{"method":"figa","parameters":{"share_prefixes":"true\u0000"}}""", "parameters.share_prefixes")]
    [InlineData("""{"method":"ppo","parameters":{"share_prefixes":"\ud800"}}""", "parameters.share_prefixes")]
    [InlineData("""{"method":"sft","parameters":{"share_prefixes":1e30}}""", "parameters.share_prefixes")]
    [InlineData("""{"method":"figa","parameters":{"share_prefixes":"/etc/passwd"}}""", "parameters.share_prefixes")]
    [InlineData("""{"method":"sft","parameters":{"fused_adamw":"false\u0000"}}""", "parameters.fused_adamw")]
    [InlineData("""{"method":"ppo","parameters":{"fused_adamw":"\udc00"}}""", "parameters.fused_adamw")]
    [InlineData("""{"method":"figa","parameters":{"fused_adamw":-1e300}}""", "parameters.fused_adamw")]
    [InlineData("""{"method":"reward-model","parameters":{"fused_adamw":"../../etc/passwd"}}""", "parameters.fused_adamw")]
    public async Task InvalidRequestsGetProblemJsonNamingTheFieldAndWriteNothing(string body, string field)
    {
        var before = await CountRowsAsync();
        var response = await app.Api.Http.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"errors name {string.Join(", ", errors.Select(e => e.Key))}, not {field}");
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task ListingValidatesItsQuery()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Api.Http.GetAsync("/api/runs?status=Sleeping")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.Api.Http.GetAsync("/api/runs?pageSize=1000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Api.Http.GetAsync($"/api/runs/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task MethodsListTheirParameterSchemas()
    {
        var methods = JsonNode.Parse(await app.Api.Http.GetStringAsync("/api/methods"))!.AsArray();
        var smoke = methods.Single(m => m!["name"]!.GetValue<string>() == "smoke")!;
        var steps = smoke["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "steps")!;
        Assert.Equal("Integer", steps["kind"]!.GetValue<string>());
        Assert.Equal(100, steps["default"]!.GetValue<int>());
        Assert.Equal(1, steps["min"]!.GetValue<double>());
    }

    /// <summary>Rows in the app's and Hangfire's tables: a refused request must add to neither.</summary>
    private async Task<(long Runs, long Jobs)> CountRowsAsync()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM hangfire.job)", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
