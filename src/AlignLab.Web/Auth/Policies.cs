using AlignLab.Core.Accounts;

namespace AlignLab.Web.Auth;

/// <summary>The authorization policies every page, endpoint and hub method names. Anything that names none gets
/// <see cref="Read"/> (the fallback policy): nothing is reachable without signing in unless it says so.</summary>
public static class Policies
{
    /// <summary>Browse runs, metrics, datasets, models; any role.</summary>
    public const string Read = "read";

    /// <summary>Revise instances in the annotation queue; any role (reviewers are who it is for).</summary>
    public const string Annotate = "annotate";

    /// <summary>Launch, cancel and retry runs, upload data, make models; researchers and admins.</summary>
    public const string Launch = "launch";

    /// <summary>Accounts of others, every key, the job dashboard; admins.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> RolesOf(string policy) => policy switch
    {
        Read or Annotate => Roles.Names,
        Launch => [Roles.Researcher, Roles.Admin],
        Admin => [Roles.Admin],
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "not an AlignLab policy"),
    };
}
