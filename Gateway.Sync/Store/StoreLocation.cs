namespace Gateway.Sync.Store;

/// <summary>Whether a store could live at a path, checked without opening it (for <c>check-config</c>).</summary>
public static class StoreLocation
{
    /// <summary>
    /// Why the store at <paramref name="path"/> (relative to the working directory, as the service
    /// resolves it) could not be created or written, or null when it can. Probes the nearest existing
    /// directory with a file it creates and removes at once: permissions alone do not tell (root, a
    /// read-only mount, /proc).
    /// </summary>
    public static string? Problem(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return $"{full} is a directory; {StoreUnavailableException.IsDirectoryReason}";
        }
        var directory = Path.GetDirectoryName(full)!;
        var existing = directory;
        while (!Directory.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? "/";
        }
        var probe = Path.Combine(existing, $".edge-gateway-probe-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return existing == directory
                ? $"the store's directory {directory} is not writable: {StoreUnavailableException.OsReason(e)}"
                : $"the store's directory {directory} cannot be created in {existing}: {StoreUnavailableException.OsReason(e)}";
        }
    }
}
