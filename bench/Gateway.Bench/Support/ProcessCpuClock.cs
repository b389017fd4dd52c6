using System.Runtime.InteropServices;

namespace Gateway.Bench.Support;

/// <summary>
/// CPU time of the whole process (every thread, ONNX Runtime's pool included), in nanoseconds,
/// from <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>; and of the child processes that have
/// exited and been waited for, from <c>getrusage(RUSAGE_CHILDREN)</c> (how a bench charges a
/// reference program such as mosquitto_pub). On a machine shared with other work, wall time mostly
/// measures the queue for a core; CPU time measures the work.
/// </summary>
internal static partial class ProcessCpuClock
{
    private const int ClockProcessCpuTimeId = 2;
    private const int RusageChildren = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    // struct rusage (x86-64 and arm64 alike): two timevals, then 14 longs this class does not read.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct RUsage
    {
        public TimeVal User;
        public TimeVal System;
        public fixed long Rest[14];
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);

    public static long Nanoseconds()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out var t) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }
        return (t.Seconds * 1_000_000_000) + t.Nanoseconds;
    }

    /// <summary>User + system CPU of all children that have exited and been reaped so far.</summary>
    public static long ChildrenNanoseconds()
    {
        if (GetRUsage(RusageChildren, out var u) != 0)
        {
            throw new InvalidOperationException("getrusage(RUSAGE_CHILDREN) failed");
        }
        return ((u.User.Seconds + u.System.Seconds) * 1_000_000_000) + ((u.User.Microseconds + u.System.Microseconds) * 1_000);
    }
}
