namespace AlignLab.Web.Auth;

/// <summary>AlignLab:Auth.</summary>
public sealed class AuthOptions
{
    public const string Section = "AlignLab:Auth";

    /// <summary>How long a node trusts an API key it validated before asking the database again (a revocation on
    /// another node takes effect within this time); 0: every request asks.</summary>
    public int KeyCacheSeconds { get; set; } = 10;

    /// <summary>The admin to create at start-up when there is no account yet (for containers and servers nobody browses
    /// from); empty: create it on /setup from the machine itself. Give the password through the environment.</summary>
    public FirstAdminOptions FirstAdmin { get; set; } = new();

    /// <summary>Origins besides the app's own address from which signed-in pages may change state (scheme://host:port),
    /// e.g. the public address of a reverse proxy that forwards to another Host.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long the first lock after too many wrong passwords lasts; each further failure doubles it (up to 15
    /// minutes). See <see cref="SignInThrottle"/>.</summary>
    public double SignInFirstLockSeconds { get; set; } = 1;

    public sealed class FirstAdminOptions
    {
        public string Name { get; set; } = "";
        public string Password { get; set; } = "";
    }
}
