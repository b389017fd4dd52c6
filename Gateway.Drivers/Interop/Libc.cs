using System.Runtime.InteropServices;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Serial.Interop;

namespace Gateway.Drivers.Interop;

/// <summary>
/// Every libc call of this project, declared once (glibc on Debian/Ubuntu, x86-64 and arm64).
/// <c>ioctl</c> is variadic in C; declaring its third argument as a pointer is correct for the
/// Linux x86-64 and AArch64 ABIs, where variadic integer/pointer arguments travel in the same
/// registers as fixed ones. termios goes through glibc's tcgetattr/tcsetattr/cfset*speed, which
/// translate glibc's <c>struct termios</c> to the kernel's own, so only glibc's layout matters.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    // fcntl.h and errno.h values the GPIO, I2C, serial and journal code share: asm-generic on
    // x86-64 and arm64 (arm64's uapi fcntl.h overrides only O_DIRECTORY, O_NOFOLLOW, O_DIRECT and
    // O_LARGEFILE). Gateway.Tests/Drivers/Serial/InteropLayoutTests compares them with the C headers.
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_NOCTTY = 0x100;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int ENOIOCTLCMD = 515;

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Library, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Library, EntryPoint = "tcgetattr", SetLastError = true)]
    public static partial int TcGetAttr(int fd, Termios* termios);

    [LibraryImport(Library, EntryPoint = "tcsetattr", SetLastError = true)]
    public static partial int TcSetAttr(int fd, int optionalActions, Termios* termios);

    [LibraryImport(Library, EntryPoint = "cfmakeraw")]
    public static partial void CfMakeRaw(Termios* termios);

    [LibraryImport(Library, EntryPoint = "cfsetispeed", SetLastError = true)]
    public static partial int CfSetISpeed(Termios* termios, uint speed);

    [LibraryImport(Library, EntryPoint = "cfsetospeed", SetLastError = true)]
    public static partial int CfSetOSpeed(Termios* termios, uint speed);

    [LibraryImport(Library, EntryPoint = "tcflush", SetLastError = true)]
    public static partial int TcFlush(int fd, int queueSelector);

    // Pseudo-terminals: the simulated RTU meter (Gateway.Simulation) answers on a pty's master side.
    [LibraryImport(Library, EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenPt(int flags);

    [LibraryImport(Library, EntryPoint = "grantpt", SetLastError = true)]
    public static partial int GrantPt(int fd);

    [LibraryImport(Library, EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int UnlockPt(int fd);

    /// <summary>Returns an errno (0 on success), not −1: the reentrant form's convention.</summary>
    [LibraryImport(Library, EntryPoint = "ptsname_r")]
    public static partial int PtsNameR(int fd, byte* buffer, nuint length);

    /// <summary>An errno (by default the last call's) as a <see cref="DeviceIOException"/> naming the device.</summary>
    public static DeviceIOException Error(string what, string path, int? errno = null)
    {
        var e = errno ?? Marshal.GetLastPInvokeError();
        return new DeviceIOException($"{what} {path}: {Marshal.GetPInvokeErrorMessage(e)} (errno {e})", e, path);
    }
}
