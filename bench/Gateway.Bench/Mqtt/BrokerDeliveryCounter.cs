using System.Diagnostics;
using System.Globalization;
using Gateway.Simulation.Mqtt;
using Gateway.Bench.Support;

namespace Gateway.Bench.Mqtt;

/// <summary>
/// Scores a publisher only for what the broker itself counted: the change of
/// <c>$SYS/broker/publish/messages/received</c> since the previous call (see docs/bench/mqtt.md for
/// why a client's own claim, or mosquitto_pub's exit status, is not enough).
/// </summary>
internal sealed class BrokerDeliveryCounter
{
    private readonly LoopbackMosquitto _broker;
    private long _received;

    private BrokerDeliveryCounter(LoopbackMosquitto broker, long received)
    {
        _broker = broker;
        _received = received;
    }

    public static async Task<BrokerDeliveryCounter> StartAsync(LoopbackMosquitto broker, CancellationToken cancellationToken) =>
        new(broker, await ReadPublishReceivedAsync(broker, cancellationToken).ConfigureAwait(false));

    /// <summary>PUBLISH packets the broker received since the last call.</summary>
    public async Task<long> DeliveredAsync(CancellationToken cancellationToken)
    {
        var now = await ReadPublishReceivedAsync(_broker, cancellationToken).ConfigureAwait(false);
        var delivered = now - _received;
        _received = now;
        return delivered;
    }

    /// <summary>
    /// The broker's own count of PUBLISH packets received so far (<c>$SYS/broker/publish/messages/received</c>,
    /// read with mosquitto_sub), once it has settled: the broker must have been started with
    /// <c>sys_interval 1</c>. Lets a bench check that a client really delivered what it claims.
    /// </summary>
    private static async Task<long> ReadPublishReceivedAsync(LoopbackMosquitto broker, CancellationToken cancellationToken)
    {
        long? previous = null;
        for (var attempt = 0; attempt < 30; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.1), cancellationToken).ConfigureAwait(false);
            var start = new ProcessStartInfo(BenchTool.Require("mosquitto_sub"), ["-h", "127.0.0.1", "-p", broker.Port.ToString(CultureInfo.InvariantCulture), "-t", "$SYS/broker/publish/messages/received", "-C", "1", "-W", "5"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var text = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var value = long.Parse(text.Trim(), CultureInfo.InvariantCulture);
            if (value == previous)
            {
                return value;
            }
            previous = value;
        }
        throw new InvalidOperationException("the broker's received-message count did not settle");
    }
}
