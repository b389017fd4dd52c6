namespace Gateway.Drivers.Serial.Interop;

/// <summary>
/// termios, serial ioctl and RS-485 constants, as glibc and the kernel headers define them for
/// x86-64 and arm64 (both use the asm-generic termbits and ioctls; they differ on alpha, mips,
/// powerpc and sparc, which poles do not run). The open/poll/errno values every device shares
/// are in <see cref="Gateway.Drivers.Interop.Libc"/>. The tests compare every value with the C
/// headers on this machine.
/// </summary>
internal static class SerialConstants
{
    // termios.h: c_cflag
    public const uint CSIZE = 0x30;
    public const uint CS5 = 0x00;
    public const uint CS6 = 0x10;
    public const uint CS7 = 0x20;
    public const uint CS8 = 0x30;
    public const uint CSTOPB = 0x40;
    public const uint CREAD = 0x80;
    public const uint PARENB = 0x100;
    public const uint PARODD = 0x200;
    public const uint HUPCL = 0x400;
    public const uint CLOCAL = 0x800;
    public const uint CRTSCTS = 0x80000000;

    // termios.h: c_iflag (input parity checking)
    public const uint INPCK = 0x10;

    // termios.h: c_cc indexes
    public const int VTIME = 5;
    public const int VMIN = 6;

    // termios.h: tcsetattr / tcflush
    public const int TCSANOW = 0;
    public const int TCIFLUSH = 0;
    public const int TCIOFLUSH = 2;

    // asm-generic/ioctls.h
    public const uint TIOCGRS485 = 0x542E;
    public const uint TIOCSRS485 = 0x542F;

    // linux/serial.h: serial_rs485.flags
    public const uint SER_RS485_ENABLED = 0x1;
    public const uint SER_RS485_RTS_ON_SEND = 0x2;
    public const uint SER_RS485_RTS_AFTER_SEND = 0x4;

    /// <summary>Baud rate → termios speed constant (Bnnn); null when the rate has none.</summary>
    public static uint? SpeedOf(int baud) => baud switch
    {
        1200 => 0x9,
        2400 => 0xB,
        4800 => 0xC,
        9600 => 0xD,
        19200 => 0xE,
        38400 => 0xF,
        57600 => 0x1001,
        115200 => 0x1002,
        230400 => 0x1003,
        460800 => 0x1004,
        500000 => 0x1005,
        576000 => 0x1006,
        921600 => 0x1007,
        1000000 => 0x1008,
        _ => null,
    };
}
