using System.Runtime.InteropServices;

namespace Gateway.Host.Security;

/// <summary>fsync of a directory, so that a rename into it survives a power cut (POSIX rename(2) durability).</summary>
internal static partial class FileSync
{
    // O_RDONLY opens a directory on Linux; O_DIRECTORY is left out because its value differs
    // between x86-64 (0200000) and arm64 (040000).
    private const int ReadOnly = 0;

    public static void FlushDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            return; // best effort: the file itself is already on disk
        }
        _ = Fsync(fd);
        _ = Close(fd);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
