using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Sync.Mqtt;

/// <summary>Builds and runs a supervisor the way AddMqttUplink does, with test-friendly back-off bounds.</summary>
internal static class MqttUplinkHarness
{
    public static MqttOptions Options(string protocolVersion, params string[] brokers) => new()
    {
        Brokers = brokers,
        ProtocolVersion = protocolVersion,
        KeepAliveSeconds = 10,
        ReconnectMinSeconds = 0.05,
        ReconnectMaxSeconds = 0.4,
        ConnectTimeoutSeconds = 5,
        AckTimeoutSeconds = 10,
    };

    public static async Task<MqttConnectionSupervisor> StartAsync(MqttOptions options, MqttSessionSetup? session = null, IMqttTransportConnector? connector = null, TimeProvider? time = null)
    {
        var supervisor = new MqttConnectionSupervisor(
            options,
            session ?? new MqttSessionSetup { DefaultClientId = "gw-" + Guid.NewGuid().ToString("N")[..8] },
            connector ?? new MqttTransportConnector(new MqttTlsSettings(options.CaFile, options.CertFile, options.KeyFile)),
            time ?? TimeProvider.System,
            NullLogger<MqttConnectionSupervisor>.Instance);
        await supervisor.StartAsync(CancellationToken.None);
        return supervisor;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(describe());
            }
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// The tests' in-memory outbox: publishes every message with a full window in flight and
    /// publishes again whatever did not come back Delivered, until all are.
    /// </summary>
    public static async Task PublishAllAsync(IMqttUplink uplink, IReadOnlyList<MqttApplicationMessage> messages, TimeSpan timeout, Func<int, Task>? afterBatch = null)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var outstanding = new Queue<int>(Enumerable.Range(0, messages.Count));
        var batchNumber = 0;
        while (outstanding.Count > 0)
        {
            var batch = new List<(int Index, Task<MqttPublishResult> Outcome)>();
            while (outstanding.Count > 0 && batch.Count < 200)
            {
                var index = outstanding.Dequeue();
                batch.Add((index, await uplink.EnqueuePublishAsync(messages[index], cancel.Token)));
            }
            if (afterBatch is not null)
            {
                await afterBatch(batchNumber++);
            }
            foreach (var (index, outcome) in batch)
            {
                var result = await outcome.WaitAsync(cancel.Token);
                if (!result.IsDelivered)
                {
                    Assert.Equal(MqttPublishOutcome.ConnectionLost, result.Outcome);
                    outstanding.Enqueue(index);
                }
            }
        }
    }
}
