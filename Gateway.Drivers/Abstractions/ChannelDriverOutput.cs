namespace Gateway.Drivers.Abstractions;

/// <summary>
/// The drivers' <see cref="IDriverOutput"/> over the one <see cref="IngestQueue"/> that the store's
/// writer drains (full policy: wait; see <see cref="IDriverOutput"/>). Nothing is queued here.
/// Everything every driver publishes passes here, so this is where <see cref="DeviceHealthRegistry"/>
/// sees it: the figures and the stored records cannot disagree.
/// </summary>
internal sealed class ChannelDriverOutput(IngestQueue queue, DeviceHealthRegistry health) : IDriverOutput
{
    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken)
    {
        health.Observe(reading);
        return queue.PublishAsync(reading, cancellationToken);
    }

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driverEvent);
        health.Observe(driverEvent);
        return queue.PublishAsync(driverEvent, cancellationToken);
    }

    public void PollCompleted(string deviceId, TimeSpan latency, bool succeeded) =>
        health.PollCompleted(deviceId, latency, succeeded);
}
