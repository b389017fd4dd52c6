using System.Runtime.InteropServices;

namespace Gateway.Sync.Store;

/// <summary>
/// The store cannot be opened where <c>storage.path</c> points: the message names the path and the
/// operating system's reason in one line, for the operator (the service then exits with code 1).
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal StoreUnavailableException(string path, string reason, Exception? innerException)
        : base($"cannot open the store at {path}: {reason}", innerException)
    {
        Path = path;
    }

    /// <summary>Why a directory cannot be the store (said by <see cref="SqliteRecordStore.Open"/> and <see cref="StoreLocation"/>).</summary>
    internal const string IsDirectoryReason = "storage.path names the database file (e.g. .../buffer.db)";

    /// <summary>The store file's full path.</summary>
    public string Path { get; } = "";

    /// <summary>What the OS said about <paramref name="failure"/>, without .NET's wording or a stack trace.</summary>
    internal static string OsReason(Exception failure) => failure switch
    {
        UnauthorizedAccessException => "permission denied (EACCES)",
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory (ENOENT)",
        // On Unix an I/O error's HResult is the errno.
        IOException { HResult: > 0 and < 4096 } io => $"{Marshal.GetPInvokeErrorMessage(io.HResult)} (errno {io.HResult})",
        _ => failure.Message,
    };
}
