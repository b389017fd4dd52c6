using Gateway.Drivers.Gpio.Interop;
using Gateway.Drivers.Interop;

namespace Gateway.Drivers.Gpio;

/// <summary>An output line request fd of a kernel chip.</summary>
internal sealed unsafe class LinuxGpioOutputLine(int fd, int line, string chip) : IGpioOutputLine
{
    private int _fd = fd;

    public int Line => line;

    public void Write(bool active)
    {
        var values = new GpioV2Uapi.LineValues { Bits = active ? 1UL : 0UL, Mask = 1 };
        if (Libc.Ioctl(_fd, GpioV2Uapi.LineSetValuesIoctl, &values) < 0)
        {
            throw Libc.Error($"cannot set line {line} of", chip);
        }
    }

    public bool Read() => LinuxGpioChip.GetValue(_fd, chip);

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
