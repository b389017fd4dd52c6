using System.Diagnostics;

namespace Gateway.Tests.Drivers.Modbus;

internal static class ChildProcess
{
    /// <summary>Kills a peer the test started (with its children) and releases it.</summary>
    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }
}
