namespace Gateway.Drivers.Abstractions;

/// <summary>
/// A system call on a device file failed: carries the errno and the device path, so that the
/// platform hears the specific cause (<c>ENOENT /dev/ttyS3</c>) rather than a generic text.
/// </summary>
public sealed class DeviceIOException : IOException
{
    public DeviceIOException()
    {
    }

    public DeviceIOException(string message)
        : base(message)
    {
    }

    public DeviceIOException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeviceIOException(string message, int errno, string path)
        : base(message, errno)
    {
        Errno = errno;
        Path = path;
    }

    /// <summary>The Linux errno (errno(3)); 0 when unknown.</summary>
    public int Errno { get; }

    /// <summary>The device file the call was made on.</summary>
    public string Path { get; } = "";
}
