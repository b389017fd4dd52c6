using System.Runtime.InteropServices;

namespace Gateway.Host.Interop;

/// <summary>Every libc call of the Host, declared once (glibc, x86-64 and arm64).</summary>
internal static partial class Libc
{
    // O_RDONLY opens a directory on Linux; O_DIRECTORY is left out because its value differs
    // between x86-64 (0200000) and arm64 (040000).
    public const int O_RDONLY = 0;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>_exit(2): no finalizers, no ProcessExit handlers.</summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void Exit(int status);
}
