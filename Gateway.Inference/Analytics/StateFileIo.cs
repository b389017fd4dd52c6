using System.Globalization;

namespace Gateway.Inference.Analytics;

/// <summary>
/// How the analysis's state files (<see cref="LitterStateFile"/>, <see cref="CrowdStateFile"/>) are
/// read and replaced: atomically (write, fsync, rename, fsync the directory), so a power cut leaves
/// the old or the new file; an unreadable one is moved aside (kept for a look, never deleted).
/// </summary>
internal static class StateFileIo
{
    /// <summary>The file's text, or null when there is none yet (IO errors other than "missing" propagate).</summary>
    public static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Renames an unreadable file to <c>….unreadable-&lt;unix s&gt;</c>; returns where it went, or why it stayed, for the log.</summary>
    public static string MoveAside(string path, TimeProvider time)
    {
        var aside = $"{path}.unreadable-{time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
        try
        {
            File.Move(path, aside, overwrite: true);
            return aside;
        }
        catch (Exception move) when (move is IOException or UnauthorizedAccessException)
        {
            return $"(left in place: {move.Message})";
        }
    }

    /// <exception cref="IOException">The file system refused (also <see cref="UnauthorizedAccessException"/>).</exception>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        DirectorySync.Flush(directory);
    }
}
