namespace AlignLab.Web.Auth;

/// <summary>AlignLab:Limits: what one user or key may ask of the platform.</summary>
public sealed class LimitsOptions
{
    public const string Section = "AlignLab:Limits";

    /// <summary>Largest dataset upload, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 200L << 20;

    /// <summary>Most examples (lines of JSON Lines, elements of a JSON array) in one dataset.</summary>
    public int MaxDatasetLines { get; set; } = 1_000_000;

    /// <summary>REST requests per minute per API key (or per signed-in person, or per address when anonymous).</summary>
    public int RequestsPerMinute { get; set; } = 6_000;

    /// <summary>Queued and Running runs one user may have at once.</summary>
    public int ConcurrentRunsPerUser { get; set; } = 8;

    /// <summary>Previews (FIGA weights, log-probs, R³ reward) one web node computes at once; more wait their turn.</summary>
    public int ConcurrentPreviews { get; set; } = Environment.ProcessorCount;

    /// <summary>How long a preview waits for its turn before the answer is 429 with Retry-After.</summary>
    public double PreviewWaitSeconds { get; set; } = 10;
}
