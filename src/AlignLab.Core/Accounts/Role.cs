namespace AlignLab.Core.Accounts;

/// <summary>What a person (or one of their API keys) may do, from least to most: reviewers browse and annotate,
/// researchers also launch and manage runs and data, admins also manage accounts and the job dashboard.</summary>
public enum Role
{
    Reviewer,
    Researcher,
    Admin,
}

public static class Roles
{
    public const string Reviewer = "reviewer";
    public const string Researcher = "researcher";
    public const string Admin = "admin";

    public static IReadOnlyList<string> Names { get; } = [Reviewer, Researcher, Admin];

    public static string Name(this Role role) => role switch
    {
        Role.Reviewer => Reviewer,
        Role.Researcher => Researcher,
        Role.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static bool TryParse(string? name, out Role role)
    {
        switch (name)
        {
            case Reviewer: role = Role.Reviewer; return true;
            case Researcher: role = Role.Researcher; return true;
            case Admin: role = Role.Admin; return true;
            default: role = default; return false;
        }
    }

    public static Role Parse(string name) =>
        TryParse(name, out var role) ? role : throw new FormatException($"'{name}' is not one of {string.Join(", ", Names)}");
}
