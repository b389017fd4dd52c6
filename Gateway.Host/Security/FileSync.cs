using Gateway.Host.Interop;

namespace Gateway.Host.Security;

/// <summary>fsync of a directory, so that a rename into it survives a power cut (POSIX rename(2) durability).</summary>
internal static class FileSync
{
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
