using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

/// <summary>
/// The kernel's <c>struct serial_rs485</c> (include/uapi/linux/serial.h): flags, RTS delays
/// before and after send (ms), then 5 reserved words (a union with addressing fields in newer
/// kernels) — 32 bytes, the same on every architecture.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SerialRs485
{
    public uint Flags;
    public uint DelayRtsBeforeSend;
    public uint DelayRtsAfterSend;
    public fixed uint Padding[5];
}
