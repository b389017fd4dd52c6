namespace Gateway.Sync.Store;

/// <summary>
/// This boot of the machine: monotonic timestamps are comparable only within one boot, so an
/// untrusted-clock record keeps the kernel's boot id next to its uptime.
/// </summary>
internal static class BootIdentity
{
    private const string KernelBootIdPath = "/proc/sys/kernel/random/boot_id";

    public static string Read()
    {
        try
        {
            return File.ReadAllText(KernelBootIdPath).Trim();
        }
        catch (IOException)
        {
            return ProcessFallback;
        }
        catch (UnauthorizedAccessException)
        {
            return ProcessFallback;
        }
    }

    // Without the kernel's id the process start is the narrowest safe identity (uptimes of another process are not reused).
    private static readonly string ProcessFallback = "process-" + Guid.NewGuid().ToString("N");
}
