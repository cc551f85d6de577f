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

    /// <summary>Passwords of ten characters or more that guessing lists try first.</summary>
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "1234567890", "0123456789", "0987654321", "qwertyuiop", "1q2w3e4r5t", "1qaz2wsx3edc", "qwerty1234", "qwerty12345",
        "password12", "password123", "password1!", "passw0rd12", "iloveyou12", "abcdefghij", "abcd123456", "a1b2c3d4e5",
        "zaq12wsxcde", "asdfghjkl1", "1234qwerty", "administrator", "letmein123", "welcome123", "changeme123", "monkey1234",
    };

    public const int MinDistinctCharacters = 5;

    public static string? CheckPassword(string? password) =>
        string.IsNullOrEmpty(password) ? "required"
        : password.Length < MinPasswordLength ? $"at least {MinPasswordLength} characters"
        : password.Length > 256 ? "at most 256 characters"
        : Core.Text.TextRules.Problem(password) is { } problem ? problem
        : password.Distinct().Count() < MinDistinctCharacters ? $"at least {MinDistinctCharacters} different characters"
        : Common.Contains(password) || IsRun(password) ? "too common: guessing lists try it first"
        : null;

    // A run of consecutive characters ("abcdefghijk", "9876543210") is as weak as a common password.
    private static bool IsRun(string password) =>
        password.Zip(password.Skip(1)).Select(p => p.Second - p.First).Distinct().Count() == 1;

    /// <summary>The errors of a new account's name and password, by field ("name", "password").</summary>
    public static Dictionary<string, string[]> CheckNameAndPassword(string? name, string? password)
    {
        var errors = new Dictionary<string, string[]>();
        if (CheckName(name) is { } nameError) errors["name"] = [nameError];
        if (CheckPassword(password) is { } passwordError) errors["password"] = [passwordError];
        return errors;
    }

    public static string? CheckKeyName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "required" : name.Length > 100 ? "at most 100 characters" : Core.Text.TextRules.Problem(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
