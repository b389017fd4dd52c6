namespace Gateway.Drivers.Abstractions;

/// <summary>
/// The drivers' <see cref="IDriverOutput"/> over the one <see cref="IngestQueue"/> that the store's
/// writer drains (full policy: wait; see <see cref="IDriverOutput"/>). Nothing is queued here.
/// </summary>
internal sealed class ChannelDriverOutput(IngestQueue queue) : IDriverOutput
{
    public ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken) =>
        queue.PublishAsync(reading, cancellationToken);

    public ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken) =>
        queue.PublishAsync(driverEvent, cancellationToken);
}
