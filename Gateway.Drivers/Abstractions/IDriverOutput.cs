namespace Gateway.Drivers.Abstractions;

/// <summary>
/// Where drivers put what they measured. Bounded (see <see cref="DriverOutputOptions"/>); the full
/// policy is back-pressure, never loss: when the store falls behind, a driver's publish waits, its
/// next poll starts late and the lateness is counted. A reading is never dropped in memory — the
/// store alone decides what to drop (SPEC section 2.3) and reports it.
/// </summary>
public interface IDriverOutput
{
    /// <summary>Completes synchronously (without allocating) while there is room.</summary>
    ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken);

    ValueTask PublishAsync(GatewayEvent driverEvent, CancellationToken cancellationToken);

    /// <summary>
    /// A polling driver finished one poll of <paramref name="deviceId"/> (every planned read) in
    /// <paramref name="latency"/>; <paramref name="succeeded"/> when every read gave data. For the
    /// health figures only (<see cref="DeviceHealthRegistry"/>): nothing is stored.
    /// </summary>
    void PollCompleted(string deviceId, TimeSpan latency, bool succeeded)
    {
    }
}
