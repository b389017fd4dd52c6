using Gateway.Drivers.Abstractions;
using Gateway.Sync.Store;

namespace Gateway.Host.Pipeline;

/// <summary>
/// Where everything the drivers produce goes first: the durable store (SPEC section 2.3). One
/// store transaction per batch, so a batch the pump offers again after a failure is either
/// wholly stored already or not at all. Drivers and the store share one model of a reading
/// (Gateway.Contracts), so nothing is converted here.
/// </summary>
internal sealed class StoreDriverSink(IRecordStore store) : IDriverSink
{
    public async ValueTask WriteReadingsAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
    {
        if (readings.IsEmpty)
        {
            return;
        }
        // The pump's memory is only ours during the call; the store's queue keeps the batch longer.
        await store.AppendReadingsAsync(readings.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteEventAsync(GatewayEvent driverEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driverEvent);
        await store.AppendEventAsync(driverEvent, cancellationToken).ConfigureAwait(false);
    }
}
