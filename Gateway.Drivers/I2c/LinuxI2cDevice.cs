using Gateway.Drivers.I2c.Interop;
using Gateway.Drivers.Interop;

namespace Gateway.Drivers.I2c;

/// <summary>A target on /dev/i2c-N addressed per transfer through the I2C_RDWR ioctl.</summary>
internal sealed unsafe class LinuxI2cDevice : II2cDevice
{
    private readonly string _path;
    private int _fd;

    public LinuxI2cDevice(int bus, int address)
        : this($"/dev/i2c-{bus}", bus, address)
    {
    }

    /// <summary>Opens <paramref name="path"/> as the bus device (tests point it at other files).</summary>
    internal LinuxI2cDevice(string path, int bus, int address)
    {
        Bus = bus;
        Address = address;
        _path = path;
        _fd = Libc.Open(_path, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (_fd < 0)
        {
            throw Libc.Error("cannot open I2C bus", _path);
        }
    }

    public int Bus { get; }

    public int Address { get; }

    public void WriteRead(ReadOnlySpan<byte> write, Span<byte> read)
    {
        fixed (byte* w = write)
        fixed (byte* r = read)
        {
            var messages = stackalloc I2cDevUapi.Message[2];
            messages[0] = new I2cDevUapi.Message { Address = (ushort)Address, Flags = 0, Length = (ushort)write.Length, Buffer = w };
            messages[1] = new I2cDevUapi.Message { Address = (ushort)Address, Flags = I2cDevUapi.FlagRead, Length = (ushort)read.Length, Buffer = r };
            Transfer(messages, 2);
        }
    }

    public void Write(ReadOnlySpan<byte> write)
    {
        fixed (byte* w = write)
        {
            var message = new I2cDevUapi.Message { Address = (ushort)Address, Flags = 0, Length = (ushort)write.Length, Buffer = w };
            Transfer(&message, 1);
        }
    }

    private void Transfer(I2cDevUapi.Message* messages, uint count)
    {
        var data = new I2cDevUapi.RdwrIoctlData { Messages = messages, Count = count };
        if (Libc.Ioctl(_fd, I2cDevUapi.I2cRdwr, &data) < 0)
        {
            throw Libc.Error($"I2C transfer to 0x{Address:x2} failed on", _path);
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Libc.Close(fd);
        }
    }
}
