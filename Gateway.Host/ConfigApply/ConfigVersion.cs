using System.Security.Cryptography;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// The version of a configuration (SPEC section 3, <c>config/get</c>): the SHA-256 of the file's
/// bytes, first 16 hex digits. Of the file, not of the effective document: two editors compare
/// what is written, and an environment override is not theirs to change.
/// </summary>
public static class ConfigVersion
{
    public static string Of(ReadOnlySpan<byte> fileBytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(fileBytes, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>The version of the file at <paramref name="path"/>, or null when it cannot be read.</summary>
    public static string? OfFile(string path)
    {
        try
        {
            return Of(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
