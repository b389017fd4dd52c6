namespace Gateway.Simulation;

/// <summary>The Debian programs the simulated peers run (mosquitto, setpriv, setsid, socat); tools/setup.sh installs them.</summary>
public static class DebianTool
{
    /// <summary>The program's path on PATH or in the system folders, or null when it is not installed.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
    }
}
