using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Drivers.Interop;

namespace Gateway.Drivers.Gpio.Interop;

/// <summary>
/// The Linux GPIO character device uAPI v2 (include/uapi/linux/gpio.h, kernel 5.10+): the
/// structures and ioctl numbers this driver uses. Gateway.Tests checks every size, offset and
/// number here against the installed header with gcc.
/// </summary>
internal static unsafe class GpioV2Uapi
{
    public const int MaxNameSize = 32;
    public const int LinesMax = 64;
    public const int NumAttrsMax = 10;

    public const ulong FlagActiveLow = 1UL << 1;
    public const ulong FlagInput = 1UL << 2;
    public const ulong FlagOutput = 1UL << 3;
    public const ulong FlagEdgeRising = 1UL << 4;
    public const ulong FlagEdgeFalling = 1UL << 5;
    public const ulong FlagBiasPullUp = 1UL << 8;
    public const ulong FlagBiasPullDown = 1UL << 9;
    public const ulong FlagBiasDisabled = 1UL << 10;

    public const uint AttrIdFlags = 1;
    public const uint AttrIdOutputValues = 2;
    public const uint AttrIdDebounce = 3;

    public const uint EventRisingEdge = 1;
    public const uint EventFallingEdge = 2;

    private const uint GpioIoctlType = 0xB4;

    public static readonly nuint GetLineIoctl = LinuxIoctl.IoWR(GpioIoctlType, 0x07, sizeof(LineRequest));
    public static readonly nuint LineSetConfigIoctl = LinuxIoctl.IoWR(GpioIoctlType, 0x0D, sizeof(LineConfig));
    public static readonly nuint LineGetValuesIoctl = LinuxIoctl.IoWR(GpioIoctlType, 0x0E, sizeof(LineValues));
    public static readonly nuint LineSetValuesIoctl = LinuxIoctl.IoWR(GpioIoctlType, 0x0F, sizeof(LineValues));

    /// <summary>struct gpio_v2_line_attribute: the union is read as one u64 (flags / values / debounce_period_us).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineAttribute
    {
        public uint Id;
        public uint Padding;
        public ulong Value;
    }

    /// <summary>struct gpio_v2_line_config_attribute.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineConfigAttribute
    {
        public LineAttribute Attribute;
        public ulong Mask;
    }

    /// <summary>struct gpio_v2_line_config.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineConfig
    {
        public ulong Flags;
        public uint NumAttrs;
        public fixed uint Padding[5];
        public LineConfigAttributes Attrs;
    }

    [InlineArray(NumAttrsMax)]
    public struct LineConfigAttributes
    {
        private LineConfigAttribute _first;
    }

    /// <summary>struct gpio_v2_line_request.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineRequest
    {
        public fixed uint Offsets[LinesMax];
        public fixed byte Consumer[MaxNameSize];
        public LineConfig Config;
        public uint NumLines;
        public uint EventBufferSize;
        public fixed uint Padding[5];
        public int Fd;
    }

    /// <summary>struct gpio_v2_line_values.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineValues
    {
        public ulong Bits;
        public ulong Mask;
    }

    /// <summary>struct gpio_v2_line_event, read() from the line request's fd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LineEvent
    {
        public ulong TimestampNs;
        public uint Id;
        public uint Offset;
        public uint Seqno;
        public uint LineSeqno;
        public fixed uint Padding[6];
    }
}
