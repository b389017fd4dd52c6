using System.Globalization;

namespace Gateway.Host.Health;

/// <summary>
/// <see cref="IProcessProbe"/> from the kernel: CPU time from getrusage (<see cref="Environment.CpuUsage"/>,
/// no <c>Process</c> object to refresh), resident memory from <c>/proc/self/status</c>, free space by statvfs
/// (<see cref="DriveInfo"/> on Linux calls it on the path it is given).
/// </summary>
internal sealed class LinuxProcessProbe(string statusFile = "/proc/self/status") : IProcessProbe
{
    public TimeSpan CpuTime => Environment.CpuUsage.TotalTime;

    public long? ResidentBytes
    {
        get
        {
            try
            {
                foreach (var line in File.ReadLines(statusFile))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        return ParseKilobytes(line.AsSpan(6)) * 1024;
                    }
                }
            }
            catch (IOException)
            {
            }
            return null;
        }
    }

    public long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // DriveNotFoundException (an IOException) when the directory is gone
        }
    }

    /// <summary>The number of <c>"   123456 kB"</c>.</summary>
    internal static long? ParseKilobytes(ReadOnlySpan<char> field)
    {
        field = field.Trim();
        var end = field.IndexOf(' ');
        var digits = end < 0 ? field : field[..end];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
    }
}
