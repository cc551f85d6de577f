using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Testing;

/// <summary>The first admin of a test's web app: name and password for the login page, an API key for the REST API
/// and the hub.</summary>
public sealed record TestAdmin(string Name, string Password, string ApiKey)
{
    /// <summary>POST /api/setup with a fresh admin; if the database has one already, <paramref name="existing"/> is it.</summary>
    public static async Task<TestAdmin> SetUpAsync(string baseAddress, TestAdmin? existing)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseAddress) };
        var candidate = existing ?? new TestAdmin("admin", "password-" + Guid.NewGuid().ToString("N")[..12], "");
        var response = await http.PostAsJsonAsync("/api/setup", new { name = candidate.Name, password = candidate.Password });
        if (response.StatusCode == HttpStatusCode.Conflict)
            return existing ?? throw new InvalidOperationException("the web app's database has an admin already; pass it to StartWebAsync");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/setup: {(int)response.StatusCode} {body}");
        return candidate with { ApiKey = JsonNode.Parse(body)!["apiKey"]!["key"]!.GetValue<string>() };
    }
}
