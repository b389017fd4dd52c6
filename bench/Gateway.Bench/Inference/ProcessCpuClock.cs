using System.Runtime.InteropServices;

namespace Gateway.Bench.Inference;

/// <summary>
/// CPU time of the whole process (every thread, ONNX Runtime's pool included), in nanoseconds,
/// from <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>. On a machine shared with other work,
/// wall time mostly measures the queue for a core; CPU time measures the work.
/// </summary>
internal static partial class ProcessCpuClock
{
    private const int ClockProcessCpuTimeId = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static long Nanoseconds()
    {
        if (ClockGetTime(ClockProcessCpuTimeId, out var t) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }
        return (t.Seconds * 1_000_000_000) + t.Nanoseconds;
    }
}
