using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Gpio;

internal static partial class Log
{
    [LoggerMessage(2301, LogLevel.Information, "gpio {Device}: {Chip} line {Line} requested ({Kind}), kernel debounce {KernelDebounced}")]
    public static partial void LineRequested(ILogger logger, string device, string chip, int line, string kind, bool kernelDebounced);

    [LoggerMessage(2302, LogLevel.Information, "gpio counter {Device}: resumed at {Pulses} pulse(s) from {Path} (cut {Discarded} byte(s) of torn tail)")]
    public static partial void CounterResumed(ILogger logger, string device, long pulses, string path, long discarded);

    [LoggerMessage(2303, LogLevel.Information, "gpio output {Device}: safe state {State} applied ({Moment})")]
    public static partial void SafeStateApplied(ILogger logger, string device, bool state, string moment);

    [LoggerMessage(2304, LogLevel.Information, "gpio output {Device}: set to {State}")]
    public static partial void OutputSet(ILogger logger, string device, bool state);

    [LoggerMessage(2305, LogLevel.Error, "gpio output {Device}: could not apply the safe state at shutdown")]
    public static partial void SafeStateFailed(ILogger logger, string device, Exception exception);
}
