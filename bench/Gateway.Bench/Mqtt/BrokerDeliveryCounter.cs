using Gateway.Bench.Support;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// Scores a publisher only for what the broker itself counted: the change of
/// <c>$SYS/broker/publish/messages/received</c> since the previous call (see docs/bench/mqtt.md for
/// why a client's own claim, or mosquitto_pub's exit status, is not enough).
/// </summary>
internal sealed class BrokerDeliveryCounter
{
    private readonly LocalMosquitto _broker;
    private long _received;

    private BrokerDeliveryCounter(LocalMosquitto broker, long received)
    {
        _broker = broker;
        _received = received;
    }

    public static async Task<BrokerDeliveryCounter> StartAsync(LocalMosquitto broker, CancellationToken cancellationToken) =>
        new(broker, await broker.ReadPublishReceivedAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>PUBLISH packets the broker received since the last call.</summary>
    public async Task<long> DeliveredAsync(CancellationToken cancellationToken)
    {
        var now = await _broker.ReadPublishReceivedAsync(cancellationToken).ConfigureAwait(false);
        var delivered = now - _received;
        _received = now;
        return delivered;
    }
}
