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

    public sealed class FirstAdminOptions
    {
        public string Name { get; set; } = "";
        public string Password { get; set; } = "";
    }
}
