using System.Runtime.InteropServices;

namespace Gateway.Drivers.I2c.Interop;

/// <summary>
/// The I2C_RDWR interface of /dev/i2c-N (include/uapi/linux/i2c-dev.h and i2c.h). Gateway.Tests
/// checks the sizes, offsets and numbers here against the installed headers with gcc.
/// </summary>
internal static unsafe class I2cDevUapi
{
    /// <summary>I2C_RDWR: combined read/write transfer, one STOP at the end.</summary>
    public const nuint I2cRdwr = 0x0707;

    /// <summary>I2C_RDWR_IOCTL_MAX_MSGS.</summary>
    public const int MaxMessages = 42;

    /// <summary>I2C_M_RD: the message reads from the target.</summary>
    public const ushort FlagRead = 0x0001;

    /// <summary>struct i2c_msg.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Message
    {
        public ushort Address;
        public ushort Flags;
        public ushort Length;
        public byte* Buffer;
    }

    /// <summary>struct i2c_rdwr_ioctl_data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RdwrIoctlData
    {
        public Message* Messages;
        public uint Count;
    }
}
