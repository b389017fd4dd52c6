using System.Runtime.InteropServices;
using Gateway.Drivers.Abstractions;

namespace Gateway.Drivers.Pole.Interop;

/// <summary>
/// The few libc calls the GPIO and I2C character devices need. <c>ioctl</c> is variadic in C;
/// declaring its third argument as a pointer is correct for the Linux x86-64 and AArch64 ABIs,
/// where variadic integer/pointer arguments travel in the same registers as fixed ones.
/// </summary>
internal static unsafe partial class PoleLibc
{
    public const int ORdOnly = 0x0;
    public const int ORdWr = 0x2;
    public const int OCloExec = 0x80000;
    public const short PollIn = 0x1;
    public const int EIntr = 4;
    public const int EAgain = 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    /// <summary>The generic Linux <c>_IOC</c> encoding (asm-generic/ioctl.h; same on x86-64 and arm64).</summary>
    public static nuint Ioc(uint direction, uint type, uint number, uint size) =>
        (nuint)((direction << 30) | (size << 16) | (type << 8) | number);

    public const uint IocWrite = 1;
    public const uint IocRead = 2;

    public static nuint IoWR(uint type, uint number, int size) => Ioc(IocRead | IocWrite, type, number, (uint)size);

    public static DeviceIOException Error(string what, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new DeviceIOException($"{what} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno, path);
    }
}
