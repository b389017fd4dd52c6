using Gateway.Host.Security;

namespace Gateway.Host.ConfigApply;

/// <summary>
/// Replaces the configuration file so that a power cut at any moment leaves either the old file or
/// the new one, whole: the new bytes go to a temporary file in the same directory (same file
/// system, so the rename is atomic), are fsync'd, renamed over the file, and the directory is
/// fsync'd so the rename itself is durable. The file replaced is kept, the same way, as
/// <c>&lt;config&gt;.last-good</c>: what a rollback restores.
/// </summary>
internal class ConfigFileWriter
{
    public const string LastGoodSuffix = ".last-good";
    private const string TempSuffix = ".tmp";

    public static string LastGoodPath(string configPath) => configPath + LastGoodSuffix;

    /// <summary>Writes <paramref name="bytes"/> as <paramref name="configPath"/>, keeping the file replaced as last-good.</summary>
    public void Replace(string configPath, ReadOnlySpan<byte> bytes)
    {
        var previous = File.ReadAllBytes(configPath);
        WriteAtomically(LastGoodPath(configPath), previous);
        WriteAtomically(configPath, bytes);
    }

    /// <summary>Puts the last-good file back as the configuration (it stays as last-good too).</summary>
    public void RestoreLastGood(string configPath) =>
        WriteAtomically(configPath, File.ReadAllBytes(LastGoodPath(configPath)));

    public void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temp = full + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        CopyMode(full, temp);
        BeforeRename(temp, full);
        File.Move(temp, full, overwrite: true);
        FileSync.FlushDirectory(directory);
    }

    /// <summary>Test seam: the moment between the durable temporary file and the rename (a crash here must leave the old file).</summary>
    protected virtual void BeforeRename(string tempPath, string targetPath)
    {
    }

    /// <summary>The new file keeps the old one's permissions (a configuration with passwords is often 0600).</summary>
    private static void CopyMode(string existing, string temp)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(existing))
        {
            File.SetUnixFileMode(temp, File.GetUnixFileMode(existing));
        }
    }
}
