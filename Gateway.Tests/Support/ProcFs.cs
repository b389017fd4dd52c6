namespace Gateway.Tests.Support;

/// <summary>Another process as the kernel sees it, read from /proc.</summary>
public static class ProcFs
{
    /// <summary>True while the process exists and is not a zombie (an orphan's zombie lingers where PID 1 does not reap).</summary>
    public static bool IsRunning(int pid) => Stat(pid) is { } fields && fields[0] != "Z";

    /// <summary>The session the process leads or belongs to (getsid), or null once it is gone.</summary>
    public static int? SessionId(int pid) =>
        Stat(pid) is { } fields ? int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Waits until the process is no longer running; false if it still is at the timeout.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (waited.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>The fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, ...</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The name in parentheses may hold spaces: the fields start after the last ')'.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
    }
}
