using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "edge-gateway {Version} starting: node {NodeId} at {Site}, config {ConfigPath}, {Devices} device(s), {Buses} bus(es), {Cameras} camera(s), store {StorePath}")]
    public static partial void Starting(ILogger logger, string version, string nodeId, string site, string configPath, int devices, int buses, int cameras, string storePath);

    [LoggerMessage(2, LogLevel.Warning, "configuration: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(3, LogLevel.Information, "stopping: draining components (deadline {DeadlineSeconds} s)")]
    public static partial void Stopping(ILogger logger, double deadlineSeconds);

    [LoggerMessage(4, LogLevel.Information, "stopped cleanly in {ElapsedMs} ms")]
    public static partial void Stopped(ILogger logger, long elapsedMs);

    [LoggerMessage(5, LogLevel.Critical, "shutdown did not finish within {DeadlineSeconds} s; exiting with code {ExitCode} (the store is crash-safe)")]
    public static partial void ShutdownDeadlineExceeded(ILogger logger, double deadlineSeconds, int exitCode);

    [LoggerMessage(6, LogLevel.Information, "demo broker: mosquitto listening on 127.0.0.1:{Port} (pid {Pid})")]
    public static partial void DemoBrokerStarted(ILogger logger, int port, int pid);

    [LoggerMessage(7, LogLevel.Warning, "demo broker: {Reason}; the uplink will retry until a broker is reachable")]
    public static partial void DemoBrokerUnavailable(ILogger logger, string reason);
}
