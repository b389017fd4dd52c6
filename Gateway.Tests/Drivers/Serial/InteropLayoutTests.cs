using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Gateway.Drivers.Interop;
using Gateway.Drivers.Serial.Interop;
using Gateway.Tests.Support;
using static Gateway.Drivers.Interop.Libc;
using static Gateway.Drivers.Serial.Interop.SerialConstants;

namespace Gateway.Tests.Drivers.Serial;

/// <summary>
/// The serial layer's structs and constants against the C headers. x86-64 is checked by
/// compiling a program with this machine's gcc and glibc headers. For arm64 (no toolchain here):
/// its kernel uapi takes termbits, ioctls, errno and poll from asm-generic, exactly as x86-64's
/// asm/ headers include them, so the kernel constants are checked against the asm-generic
/// headers themselves (arm64's uapi asm/ directory exports no termbits.h, ioctls.h, errno.h or
/// poll.h of its own, and its fcntl.h only redefines O_DIRECTORY, O_NOFOLLOW, O_DIRECT and
/// O_LARGEFILE); glibc's struct termios is the generic one on both (NCCS 32).
/// </summary>
public partial class InteropLayoutTests
{
    private const string Program = """
        #include <stdio.h>
        #include <stddef.h>
        #include <termios.h>
        #include <fcntl.h>
        #include <poll.h>
        #include <errno.h>
        #include <sys/ioctl.h>
        #include <linux/serial.h>
        #define P(name) printf(#name " %ld\n", (long)(name));
        int main(void) {
            printf("sizeof_termios %zu\n", sizeof(struct termios));
            printf("offset_c_line %zu\n", offsetof(struct termios, c_line));
            printf("offset_c_cc %zu\n", offsetof(struct termios, c_cc));
            printf("offset_c_ispeed %zu\n", offsetof(struct termios, c_ispeed));
            printf("offset_c_ospeed %zu\n", offsetof(struct termios, c_ospeed));
            printf("sizeof_serial_rs485 %zu\n", sizeof(struct serial_rs485));
            printf("sizeof_pollfd %zu\n", sizeof(struct pollfd));
            P(NCCS) P(O_RDONLY) P(O_RDWR) P(O_NOCTTY) P(O_NONBLOCK) P(O_CLOEXEC)
            P(POLLIN) P(POLLOUT) P(POLLERR) P(POLLHUP) P(POLLNVAL)
            P(EINTR) P(EAGAIN) P(EINVAL) P(ENOTTY)
            P(CSIZE) P(CS5) P(CS6) P(CS7) P(CS8) P(CSTOPB) P(CREAD) P(PARENB) P(PARODD) P(HUPCL) P(CLOCAL) P(INPCK)
            printf("CRTSCTS %lu\n", (unsigned long)CRTSCTS);
            P(VTIME) P(VMIN) P(TCSANOW) P(TCIFLUSH) P(TCIOFLUSH)
            P(TIOCGRS485) P(TIOCSRS485) P(SER_RS485_ENABLED) P(SER_RS485_RTS_ON_SEND) P(SER_RS485_RTS_AFTER_SEND)
            P(B1200) P(B2400) P(B4800) P(B9600) P(B19200) P(B38400) P(B57600) P(B115200) P(B230400) P(B460800) P(B921600)
            return 0;
        }
        """;

    private static readonly Dictionary<string, long> Ours = new(StringComparer.Ordinal)
    {
        ["sizeof_termios"] = Marshal.SizeOf<Termios>(),
        ["offset_c_line"] = Marshal.OffsetOf<Termios>(nameof(Termios.Line)),
        ["offset_c_cc"] = Marshal.OffsetOf<Termios>(nameof(Termios.ControlChars)),
        ["offset_c_ispeed"] = Marshal.OffsetOf<Termios>(nameof(Termios.ISpeed)),
        ["offset_c_ospeed"] = Marshal.OffsetOf<Termios>(nameof(Termios.OSpeed)),
        ["sizeof_serial_rs485"] = Marshal.SizeOf<SerialRs485>(),
        ["sizeof_pollfd"] = Marshal.SizeOf<PollFd>(),
        ["NCCS"] = Termios.Nccs,
        ["O_RDONLY"] = O_RDONLY, ["O_RDWR"] = O_RDWR, ["O_NOCTTY"] = O_NOCTTY, ["O_NONBLOCK"] = O_NONBLOCK, ["O_CLOEXEC"] = O_CLOEXEC,
        ["POLLIN"] = POLLIN, ["POLLOUT"] = POLLOUT, ["POLLERR"] = POLLERR, ["POLLHUP"] = POLLHUP, ["POLLNVAL"] = POLLNVAL,
        ["EINTR"] = EINTR, ["EAGAIN"] = EAGAIN, ["EINVAL"] = EINVAL, ["ENOTTY"] = ENOTTY,
        ["CSIZE"] = CSIZE, ["CS5"] = CS5, ["CS6"] = CS6, ["CS7"] = CS7, ["CS8"] = CS8, ["CSTOPB"] = CSTOPB, ["CREAD"] = CREAD,
        ["PARENB"] = PARENB, ["PARODD"] = PARODD, ["HUPCL"] = HUPCL, ["CLOCAL"] = CLOCAL, ["INPCK"] = INPCK, ["CRTSCTS"] = CRTSCTS,
        ["VTIME"] = VTIME, ["VMIN"] = VMIN, ["TCSANOW"] = TCSANOW, ["TCIFLUSH"] = TCIFLUSH, ["TCIOFLUSH"] = TCIOFLUSH,
        ["TIOCGRS485"] = TIOCGRS485, ["TIOCSRS485"] = TIOCSRS485,
        ["SER_RS485_ENABLED"] = SER_RS485_ENABLED, ["SER_RS485_RTS_ON_SEND"] = SER_RS485_RTS_ON_SEND, ["SER_RS485_RTS_AFTER_SEND"] = SER_RS485_RTS_AFTER_SEND,
        ["B1200"] = SpeedOf(1200)!.Value, ["B2400"] = SpeedOf(2400)!.Value, ["B4800"] = SpeedOf(4800)!.Value, ["B9600"] = SpeedOf(9600)!.Value,
        ["B19200"] = SpeedOf(19200)!.Value, ["B38400"] = SpeedOf(38400)!.Value, ["B57600"] = SpeedOf(57600)!.Value, ["B115200"] = SpeedOf(115200)!.Value,
        ["B230400"] = SpeedOf(230400)!.Value, ["B460800"] = SpeedOf(460800)!.Value, ["B921600"] = SpeedOf(921600)!.Value,
    };

    [Fact]
    public void Structs_and_constants_match_what_gcc_sees_in_the_x86_64_headers()
    {
        var gcc = ExternalTool.Require("gcc");
        using var temp = new TempDirectory("termios");
        File.WriteAllText(temp.File("layout.c"), Program);
        var build = ExternalTool.Run(gcc, ["-o", temp.File("layout"), temp.File("layout.c")], TimeSpan.FromSeconds(60));
        Assert.True(build.ExitCode == 0, build.StdErr);
        var run = ExternalTool.Run(temp.File("layout"), [], TimeSpan.FromSeconds(10));
        var theirs = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        Assert.Equal(Ours.Count, theirs.Count);
        foreach (var (name, value) in Ours)
        {
            Assert.True(theirs[name] == value, $"{name}: header {theirs[name]}, ours {value}");
        }
    }

    [Theory]
    [InlineData("asm-generic/termbits.h", "CSIZE CS5 CS6 CS7 CS8 CSTOPB CREAD PARENB PARODD HUPCL CLOCAL VTIME VMIN TCSANOW B57600 B115200 B230400 B460800 B921600")]
    [InlineData("asm-generic/termbits-common.h", "INPCK CRTSCTS TCIFLUSH TCIOFLUSH B1200 B2400 B4800 B9600 B19200 B38400")]
    [InlineData("asm-generic/ioctls.h", "TIOCGRS485 TIOCSRS485")]
    [InlineData("asm-generic/errno-base.h", "EINTR EAGAIN EINVAL ENOTTY")]
    [InlineData("asm-generic/poll.h", "POLLIN POLLOUT POLLERR POLLHUP POLLNVAL")]
    [InlineData("asm-generic/fcntl.h", "O_RDONLY O_RDWR O_NOCTTY O_NONBLOCK O_CLOEXEC")]
    public void Kernel_constants_match_the_asm_generic_headers_that_arm64_uses(string header, string names)
    {
        var text = File.ReadAllText(Path.Combine("/usr/include", header));
        foreach (var name in names.Split(' '))
        {
            var match = Regex.Match(text, $@"#define\s+{name}\s+(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\b");
            Assert.True(match.Success, $"{name} not defined in {header}");
            var literal = match.Groups[1].Value;
            var value = literal.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToInt64(literal[2..], 16)
                : literal.Length > 1 && literal[0] == '0' ? Convert.ToInt64(literal, 8)
                : long.Parse(literal, CultureInfo.InvariantCulture);
            Assert.True(value == Ours[name], $"{name}: {header} says {value}, ours {Ours[name]}");
        }
    }
}
