using Gateway.Host.Interop;

namespace Gateway.Host.Security;

/// <summary>fsync of a directory, so that a rename into it survives a power cut (POSIX rename(2) durability).</summary>
internal static class FileSync
{
    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> writes, readable only by
    /// the owner (0600 from its creation): temp file, fsync, rename, fsync of the directory, so that
    /// a power cut leaves the old file or the new one, never a torn one.
    /// </summary>
    public static void WritePrivateAtomically(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        FlushDirectory(directory);
    }

    public static void FlushDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Libc.Open(path, Libc.O_RDONLY);
        if (fd < 0)
        {
            return; // best effort: the file itself is already on disk
        }
        _ = Libc.Fsync(fd);
        _ = Libc.Close(fd);
    }
}
