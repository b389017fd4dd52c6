namespace Gateway.Host.Health;

/// <summary>The process and file-system figures of the health topic and <c>/metrics</c>; a seam so that tests can give known values.</summary>
public interface IProcessProbe
{
    /// <summary>CPU time the process used since it started (user + system, all threads).</summary>
    TimeSpan CpuTime { get; }

    /// <summary>Resident set size in bytes (<c>VmRSS</c>), or null when it cannot be read.</summary>
    long? ResidentBytes { get; }

    /// <summary>Bytes an unprivileged writer may still use on the file system holding <paramref name="directory"/> (statvfs f_bavail), or null.</summary>
    long? FreeBytes(string directory);
}
