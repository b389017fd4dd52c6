using System.Runtime.InteropServices;

namespace Gateway.Sync.Time;

/// <summary>Whether the kernel's clock is kept synchronised by an NTP daemon (chrony, systemd-timesyncd, ntpd).</summary>
public interface IKernelClock
{
    /// <summary>The kernel's maximum error estimate, or null when it cannot be read.</summary>
    TimeSpan? MaximumError();
}

/// <summary>
/// Reads <c>adjtimex(2)</c> with no modes set (a read that needs no privilege). An NTP daemon
/// disciplining the clock keeps <c>maxerror</c> small; without updates the kernel grows it by
/// 500 ppm until it reaches 16 s and it is "unsynchronised" — the rule <c>timedatectl</c> uses
/// (systemd's <c>ntp_synced()</c>), which ignores STA_UNSYNC because daemons set that flag to keep
/// the kernel off the RTC.
/// </summary>
internal sealed partial class LinuxKernelClock : IKernelClock
{
    // struct timex (include/uapi/linux/timex.h) on LP64 (x86-64, aarch64): int modes + padding,
    // then long offset, freq, maxerror (µs) — 208 bytes in all; read into a larger buffer.
    private const int MaxErrorOffset = 24;
    private const int TimexBytes = 256;

    public TimeSpan? MaximumError()
    {
        Span<byte> timex = stackalloc byte[TimexBytes];
        timex.Clear(); // modes = 0: read only
        if (Adjtimex(timex) < 0)
        {
            return null;
        }
        var microseconds = BitConverter.ToInt64(timex[MaxErrorOffset..]);
        return TimeSpan.FromMicroseconds(microseconds);
    }

    [LibraryImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
    private static partial int Adjtimex(Span<byte> timex);
}
