namespace AlignLab.Core.Methods;

/// <summary>Why a service that asks the chat-completions endpoint (a reviser, a judge, a word scorer) cannot be asked: its
/// own reason (no endpoint configured, a bad URL), or that the host registered none at all.</summary>
public static class EndpointAvailability
{
    public const string NoEndpoint = "no chat-completions endpoint is set up";

    /// <param name="service">The service, or null where the host has none.</param>
    /// <param name="reason">Its NotConfiguredReason.</param>
    public static string? Problem(object? service, string? reason) => service is null ? NoEndpoint : reason;
}
