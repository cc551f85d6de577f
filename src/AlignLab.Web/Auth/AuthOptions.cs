namespace AlignLab.Web.Auth;

/// <summary>AlignLab:Auth.</summary>
public sealed class AuthOptions
{
    public const string Section = "AlignLab:Auth";

    /// <summary>How long a node trusts an API key it validated before asking the database again (a revocation on
    /// another node takes effect within this time); 0: every request asks.</summary>
    public int KeyCacheSeconds { get; set; } = 10;
}
