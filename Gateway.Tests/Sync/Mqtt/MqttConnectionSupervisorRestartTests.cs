using System.Net.Sockets;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Sync.Mqtt;

/// <summary>The host's supervisor runs the connection loop again after a fault escaped it: the instance must still be usable.</summary>
public class MqttConnectionSupervisorRestartTests
{
    [Fact]
    public async Task After_an_escaped_fault_the_loop_runs_again_with_its_incoming_queue_open()
    {
        var connector = new RefusingConnector();
        var logger = new ThrowsOnceLogger(eventId: 4001); // "connecting": outside the loop's own error handling
        var supervisor = new MqttConnectionSupervisor(MqttUplinkHarness.Options("5.0", "mqtt://127.0.0.1:1"),
            new MqttSessionSetup { DefaultClientId = "gw-restart" }, connector, TimeProvider.System, logger);

        await supervisor.StartAsync(CancellationToken.None);
        var first = supervisor.ExecuteTask!;
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, connector.Attempts);
        Assert.False(supervisor.Incoming.Completion.IsCompleted); // the command dispatcher keeps reading it
        Assert.NotEqual(MqttConnectionState.Stopped, supervisor.Status.State);

        // what SupervisedComponent does after the back-off
        await supervisor.StartAsync(CancellationToken.None);
        // Failing, not merely a second attempt counted: the state says Connecting until that attempt's refusal is recorded.
        await MqttUplinkHarness.WaitUntilAsync(() => connector.Attempts >= 2 && supervisor.Status.State == MqttConnectionState.Failing,
            TimeSpan.FromSeconds(30), () => $"{connector.Attempts} attempt(s), {supervisor.Status}");

        await supervisor.StopAsync(CancellationToken.None);
        Assert.Equal(MqttConnectionState.Stopped, supervisor.Status.State);
        Assert.True(supervisor.Incoming.Completion.IsCompleted); // a stop, unlike a fault, ends the queue
        supervisor.Dispose();
    }

    private sealed class RefusingConnector : IMqttTransportConnector
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public Task<Stream> ConnectAsync(MqttBrokerEndpoint endpoint, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            return Task.FromException<Stream>(new SocketException((int)SocketError.ConnectionRefused));
        }
    }

    private sealed class ThrowsOnceLogger(int eventId) : ILogger<MqttConnectionSupervisor>
    {
        private int _thrown;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId1, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId1.Id == eventId && Interlocked.Exchange(ref _thrown, 1) == 0)
            {
                throw new InvalidOperationException("a bug outside the loop's error handling");
            }
        }
    }
}
