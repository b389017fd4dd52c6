using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "edge-gateway {Version} starting: node {NodeId} at {Site}, config {ConfigPath}, {Devices} device(s), {Buses} bus(es), {Cameras} camera(s), store {StorePath}")]
    public static partial void Starting(ILogger logger, string version, string nodeId, string site, string configPath, int devices, int buses, int cameras, string storePath);

    [LoggerMessage(1002, LogLevel.Warning, "configuration: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string warning);

    [LoggerMessage(1003, LogLevel.Information, "stopping: draining components (deadline {DeadlineSeconds} s)")]
    public static partial void Stopping(ILogger logger, double deadlineSeconds);

    [LoggerMessage(1004, LogLevel.Information, "stopped cleanly in {ElapsedMs} ms")]
    public static partial void Stopped(ILogger logger, long elapsedMs);

    [LoggerMessage(1005, LogLevel.Critical, "shutdown did not finish within {DeadlineSeconds} s; exiting with code {ExitCode} (the store is crash-safe)")]
    public static partial void ShutdownDeadlineExceeded(ILogger logger, double deadlineSeconds, int exitCode);

    [LoggerMessage(1006, LogLevel.Information, "demo broker: mosquitto listening on 127.0.0.1:{Port} (pid {Pid})")]
    public static partial void DemoBrokerStarted(ILogger logger, int port, int pid);

    [LoggerMessage(1007, LogLevel.Warning, "demo broker: {Reason}; the uplink will retry until a broker is reachable")]
    public static partial void DemoBrokerUnavailable(ILogger logger, string reason);

    [LoggerMessage(1008, LogLevel.Error, "component {Component} failed; restarting it in {DelaySeconds:0.#} s (further failures in a row are counted in status, not logged)")]
    public static partial void ComponentFailed(ILogger logger, string component, double delaySeconds, Exception error);

    [LoggerMessage(1009, LogLevel.Debug, "component {Component} failed again ({Failures} in a row): {Error}; restarting it in {DelaySeconds:0.#} s")]
    public static partial void ComponentFailedAgain(ILogger logger, string component, int failures, double delaySeconds, string error);

    [LoggerMessage(1010, LogLevel.Information, "component {Component} running again after {Failures} failure(s) in a row")]
    public static partial void ComponentRecovered(ILogger logger, string component, int failures);

    [LoggerMessage(1011, LogLevel.Information, "component {Component} finished its work")]
    public static partial void ComponentCompleted(ILogger logger, string component);

    [LoggerMessage(1012, LogLevel.Warning, "component {Component} failed while stopping")]
    public static partial void ComponentFailedStopping(ILogger logger, string component, Exception error);

    [LoggerMessage(1013, LogLevel.Critical, "critical component {Component} failed {Failures} times in a row (last: {Error}); stopping the gateway with exit code {ExitCode} so that systemd restarts it")]
    public static partial void CriticalComponentGaveUp(ILogger logger, string component, int failures, string error, int exitCode);

    [LoggerMessage(1070, LogLevel.Information, "components {Group} restarted on the new configuration")]
    public static partial void LiveGroupRestarted(ILogger logger, string group);

    [LoggerMessage(1071, LogLevel.Warning, "components {Group} did not start on the new configuration: {Error}")]
    public static partial void LiveGroupStartFailed(ILogger logger, string group, string error);

    [LoggerMessage(1072, LogLevel.Information, "restarting the gateway in-process for a configuration change")]
    public static partial void HostRestarting(ILogger logger);
}
