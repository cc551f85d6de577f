using System.Security.Cryptography;
using System.Text;

namespace AlignLab.Data.Accounts;

/// <summary>API keys: "alk_" and 43 base64url characters of a random 256-bit secret. Only the SHA-256 of a key is
/// stored (a key is as strong as a random 256-bit value, so a slow password hash would add nothing); its first
/// characters are kept to tell keys apart in lists.</summary>
public static class ApiKeySecret
{
    public const string Marker = "alk_";
    private const int PrefixLength = 12;

    public static string Generate() =>
        Marker + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="text"/> has the shape of a key (not whether it is one).</summary>
    public static bool LooksLikeKey(string? text) => text is { Length: > 20 and < 100 } && text.StartsWith(Marker, StringComparison.Ordinal);

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string Prefix(string key) => key[..Math.Min(PrefixLength, key.Length)];
}
