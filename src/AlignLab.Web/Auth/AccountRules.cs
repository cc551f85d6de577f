using System.Text.RegularExpressions;

namespace AlignLab.Web.Auth;

/// <summary>What an account name, a password and a key name must be; each check returns the error or null.</summary>
public static partial class AccountRules
{
    public const int MinPasswordLength = 10;

    public static string? CheckName(string? name) =>
        string.IsNullOrEmpty(name) ? "required"
        : !NamePattern().IsMatch(name) ? "1–64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
        : null;

    public static string? CheckPassword(string? password) =>
        string.IsNullOrEmpty(password) ? "required"
        : password.Length < MinPasswordLength ? $"at least {MinPasswordLength} characters"
        : password.Length > 256 ? "at most 256 characters"
        : null;

    /// <summary>The errors of a new account's name and password, by field ("name", "password").</summary>
    public static Dictionary<string, string[]> CheckNameAndPassword(string? name, string? password)
    {
        var errors = new Dictionary<string, string[]>();
        if (CheckName(name) is { } nameError) errors["name"] = [nameError];
        if (CheckPassword(password) is { } passwordError) errors["password"] = [passwordError];
        return errors;
    }

    public static string? CheckKeyName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "required" : name.Length > 100 ? "at most 100 characters" : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
