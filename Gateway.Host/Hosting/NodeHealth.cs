using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;

namespace Gateway.Host.Hosting;

/// <summary>
/// Whether this node is doing its job, for systemd's watchdog and its STATUS line. Unhealthy means
/// a restart may help: a critical component (<see cref="GatewayHost.CriticalComponents"/>) is
/// restarting or gave up, or the store fails its commits with an I/O or database error. A full
/// disk (<see cref="StoreWriteState.Full"/>) and a broker that cannot be reached are not: a restart
/// frees no space and reaches no broker, and the node keeps storing meanwhile.
/// </summary>
internal sealed class NodeHealth(ComponentSupervision supervision, Func<StoreStatistics> store, Func<MqttUplinkStatus> uplink)
{
    public NodeHealthReport Check()
    {
        var statistics = store();
        var link = uplink();
        var backlog = statistics.PendingReadings + statistics.PendingEvents + statistics.PendingSnapshots;
        var summary = $"uplink {Describe(link.State)}, backlog {backlog}";

        var critical = supervision.Components.FirstOrDefault(c => c.Critical && c.State is "restarting" or "failed");
        if (critical is not null)
        {
            return new NodeHealthReport(false, $"unhealthy: {critical.Name} {critical.State} after {critical.ConsecutiveFailures} failure(s); {summary}");
        }
        if (statistics.Writes.State == StoreWriteState.Failing)
        {
            return new NodeHealthReport(false, $"unhealthy: store writes failing ({statistics.Writes.ConsecutiveFailures} in a row: {statistics.Writes.LastError}); {summary}");
        }
        var disk = statistics.Writes.State == StoreWriteState.Full ? "; store: disk full" : "";
        return new NodeHealthReport(true, summary + disk);
    }

    private static string Describe(MqttConnectionState state) => state switch
    {
        MqttConnectionState.Connected => "connected",
        MqttConnectionState.Connecting => "connecting",
        MqttConnectionState.Failing => "unreachable",
        _ => state.ToString().ToLowerInvariant(),
    };
}

/// <param name="Status">One line for systemd's STATUS= (shown by <c>systemctl status</c>).</param>
internal sealed record NodeHealthReport(bool Healthy, string Status);
