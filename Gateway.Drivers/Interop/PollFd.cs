using System.Runtime.InteropServices;

namespace Gateway.Drivers.Interop;

/// <summary><c>struct pollfd</c>: int fd, short events, short revents (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short REvents;
}
