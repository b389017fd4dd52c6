using Gateway.Sync;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Tests.Sync.Mqtt.Peers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Sync.Mqtt;

public class MqttServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddMqttUplink_registers_one_supervisor_as_uplink_and_hosted_service()
    {
        await using var broker = new FakeMqttBroker(MqttProtocolVersion.V500, (_, connection, token) => connection.AcknowledgePublishesAsync(int.MaxValue, token));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(Options.Create(MqttUplinkHarness.Options("5.0", broker.Uri)));
        services.AddMqttUplink(_ => new MqttSessionSetup { DefaultClientId = "pole-di" });
        await using var provider = services.BuildServiceProvider();

        var uplink = provider.GetRequiredService<IMqttUplink>();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        Assert.Same(uplink, hosted);

        await hosted.StartAsync(CancellationToken.None);
        try
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var result = await uplink.PublishAsync(new MqttApplicationMessage("city/pole-di/telemetry", "{}"u8.ToArray()), cancel.Token);
            Assert.Equal(MqttPublishOutcome.Delivered, result.Outcome);
            Assert.Equal(MqttConnectionState.Connected, uplink.Status.State);
            Assert.Equal("pole-di", Assert.Single(broker.Connects).ClientId);
        }
        finally
        {
            await hosted.StopAsync(CancellationToken.None);
        }
        Assert.Equal(MqttConnectionState.Stopped, uplink.Status.State);
    }
}
