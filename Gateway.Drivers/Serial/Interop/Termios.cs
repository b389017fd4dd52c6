using System.Runtime.InteropServices;

namespace Gateway.Drivers.Serial.Interop;

/// <summary>
/// glibc's <c>struct termios</c> (sysdeps/unix/sysv/linux/bits/termios-struct.h; the same on
/// x86-64 and aarch64): 4 flag words, c_line, c_cc[NCCS = 32], c_ispeed, c_ospeed — 60 bytes,
/// c_ispeed at offset 52. Checked against the C compiler's view in the tests.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Termios
{
    public const int Nccs = 32;

    public uint IFlag;
    public uint OFlag;
    public uint CFlag;
    public uint LFlag;
    public byte Line;
    public fixed byte ControlChars[Nccs];
    public uint ISpeed;
    public uint OSpeed;
}
