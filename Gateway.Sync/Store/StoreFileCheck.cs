using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Gateway.Sync.Store;

/// <summary>
/// Start-up integrity check (issue 3): a truncated, garbage or foreign file is moved aside with
/// its WAL (kept for forensics) so that a fresh store can start instead of a crash loop.
/// </summary>
internal static class StoreFileCheck
{
    private static ReadOnlySpan<byte> SqliteMagic => "SQLite format 3\0"u8;

    /// <summary>What was wrong with the file that was moved aside.</summary>
    public sealed record Quarantine(string Problem, string MovedTo);

    /// <summary>Leaves <paramref name="path"/> absent or a readable SQLite file; returns what was quarantined, if anything.</summary>
    public static Quarantine? Run(string path, DateTimeOffset now)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }
        if (info.Length == 0)
        {
            // Nothing was ever committed to it (creation cut short): nothing to keep.
            Delete(path);
            return null;
        }
        var problem = Inspect(path, info.Length);
        if (problem is null)
        {
            return null;
        }
        var target = path + ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (var n = 1; File.Exists(target); n++)
        {
            target = path + ".corrupt-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "." + n.ToString(CultureInfo.InvariantCulture);
        }
        File.Move(path, target);
        foreach (var suffix in (string[])["-wal", "-shm"])
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, target + suffix);
            }
        }
        return new Quarantine(problem, target);
    }

    private static string? Inspect(string path, long length)
    {
        if (length < 100)
        {
            return $"truncated: {length} bytes, shorter than an SQLite header";
        }
        Span<byte> header = stackalloc byte[16];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            file.ReadExactly(header);
        }
        if (!header.SequenceEqual(SqliteMagic))
        {
            return "wrong header: not an SQLite database";
        }
        try
        {
            using var connection = StoreSchema.Open(path, readOnly: false);
            return StoreSchema.IsEmpty(connection) ? null : StoreSchema.Verify(connection);
        }
        catch (SqliteException ex)
        {
            return $"unreadable: {ex.Message}";
        }
    }

    private static void Delete(string path)
    {
        foreach (var suffix in (string[])["", "-wal", "-shm"])
        {
            File.Delete(path + suffix);
        }
    }
}
