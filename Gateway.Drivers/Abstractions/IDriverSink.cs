namespace Gateway.Drivers.Abstractions;

/// <summary>
/// Implemented by the Host: writes what drivers produced into the durable store (SPEC section
/// 2.3: stored before anything else happens to it). Called from one pump task at a time, with
/// batches so that the store can write one transaction per batch. The memory passed is only
/// valid during the call. Throwing is logged and the same batch is offered again after a pause,
/// so an implementation must be idempotent for a batch it failed half-way.
/// </summary>
public interface IDriverSink
{
    ValueTask WriteReadingsAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken);

    ValueTask WriteEventAsync(GatewayEvent driverEvent, CancellationToken cancellationToken);
}
