namespace Gateway.Drivers.Interop;

/// <summary>The generic Linux <c>_IOC</c> encoding (asm-generic/ioctl.h; same on x86-64 and arm64).</summary>
internal static class LinuxIoctl
{
    public const uint IocWrite = 1;
    public const uint IocRead = 2;

    public static nuint Ioc(uint direction, uint type, uint number, uint size) =>
        (nuint)((direction << 30) | (size << 16) | (type << 8) | number);

    public static nuint IoWR(uint type, uint number, int size) => Ioc(IocRead | IocWrite, type, number, (uint)size);
}
