using System.Net.Sockets;

namespace Gateway.Drivers.Abstractions;

/// <summary>
/// Turns what went wrong with a device into the short, specific <c>reason</c> of a
/// <c>device.offline</c> event (SPEC section 3): <c>ENOENT /dev/ttyS3</c>, <c>EACCES /dev/i2c-1</c>,
/// <c>connection refused</c>, <c>timeout</c>. One line, no stack trace, nothing secret.
/// </summary>
public static class DeviceFaultReason
{
    // Linux errno numbers (asm-generic/errno-base.h, errno.h; the same on x86-64 and arm64).
    private static readonly Dictionary<int, string> ErrnoNames = new()
    {
        [1] = "EPERM",
        [2] = "ENOENT",
        [5] = "EIO",
        [6] = "ENXIO",
        [9] = "EBADF",
        [13] = "EACCES",
        [16] = "EBUSY",
        [19] = "ENODEV",
        [20] = "ENOTDIR",
        [21] = "EISDIR",
        [22] = "EINVAL",
        [24] = "EMFILE",
        [25] = "ENOTTY",
        [30] = "EROFS",
        [71] = "EPROTO",
        [110] = "ETIMEDOUT",
        [121] = "EREMOTEIO",
    };

    /// <summary>The symbolic name of a Linux errno (<c>ENOENT</c>), or <c>errno N</c> for one not listed.</summary>
    public static string ErrnoName(int errno) => ErrnoNames.TryGetValue(errno, out var name) ? name : $"errno {errno}";

    /// <summary>The reason for <paramref name="fault"/>, looking through wrapping exceptions.</summary>
    public static string Describe(Exception fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        for (Exception? e = fault; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DeviceIOException { Errno: not 0 } io:
                    return $"{ErrnoName(io.Errno)} {io.Path}";
                case SocketException socket:
                    return Describe(socket.SocketErrorCode);
                case TimeoutException:
                    return "timeout";
                case EndOfStreamException:
                    return "connection closed by the device";
            }
        }
        return OneLine(fault.Message);
    }

    /// <summary>The reason for a failed socket operation.</summary>
    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.TimedOut => "timeout",
        SocketError.HostUnreachable => "host unreachable",
        SocketError.NetworkUnreachable or SocketError.NetworkDown => "network unreachable",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
        SocketError.ConnectionReset => "connection reset by the device",
        SocketError.ConnectionAborted or SocketError.Shutdown => "connection aborted",
        SocketError.AddressNotAvailable => "address not available",
        _ => "socket error " + error,
    };

    private static string OneLine(string message)
    {
        var line = message.AsSpan();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).Trim().ToString();
    }
}
