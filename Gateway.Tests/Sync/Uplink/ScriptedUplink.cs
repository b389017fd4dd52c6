using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.Sync.Mqtt;

namespace Gateway.Tests.Sync.Uplink;

/// <summary>
/// A fake <see cref="IMqttUplink"/> whose publishes are settled by the test: each published message
/// waits in <see cref="Published"/> until the test delivers, loses or rejects it. An in-flight
/// window per connection makes the forwarder wait like the real client does, and like the real
/// client a publish still waiting for a slot when its connection drops ends as ConnectionLost.
/// </summary>
internal sealed class ScriptedUplink : IMqttUplink
{
    private readonly int _windowSize;
    private readonly Channel<MqttApplicationMessage> _incoming = Channel.CreateBounded<MqttApplicationMessage>(16);
    private readonly object _gate = new();
    private long _connections = 1;
    private SemaphoreSlim _window;
    private CancellationTokenSource _connection = new();

    public ScriptedUplink(int window = 8)
    {
        _windowSize = window;
        _window = new SemaphoreSlim(window, window);
    }

    public sealed record Publish(MqttApplicationMessage Message, TaskCompletionSource<MqttPublishResult> Outcome, long Connection);

    /// <summary>Every publish, in order, settled or not.</summary>
    public ConcurrentQueue<Publish> Published { get; } = new();

    /// <summary>The state <see cref="Status"/> reports (publishing does not look at it).</summary>
    public MqttConnectionState State { get; set; } = MqttConnectionState.Connected;

    public MqttUplinkStatus Status => new(State, "mqtt://fake:1883", DateTimeOffset.UnixEpoch, 0, null, Interlocked.Read(ref _connections));


    public ChannelReader<MqttApplicationMessage> Incoming => _incoming.Reader;

    public async ValueTask<Task<MqttPublishResult>> EnqueuePublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        SemaphoreSlim window;
        CancellationTokenSource connection;
        long number;
        lock (_gate)
        {
            (window, connection, number) = (_window, _connection, _connections);
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection.Token);
        try
        {
            await window.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
        var outcome = new TaskCompletionSource<MqttPublishResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = outcome.Task.ContinueWith(_ => window.Release(), TaskScheduler.Default);
        Published.Enqueue(new Publish(message, outcome, number));
        return outcome.Task;
    }

    public async Task<MqttPublishResult> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken) =>
        await await EnqueuePublishAsync(message, cancellationToken);

    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Settles every unsettled publish with <paramref name="result"/>.</summary>
    public int SettleAll(MqttPublishResult result)
    {
        var n = 0;
        foreach (var p in Published)
        {
            n += p.Outcome.TrySetResult(result) ? 1 : 0;
        }
        return n;
    }

    /// <summary>The connection drops: every unsettled publish is lost, and the next ones go over a new connection.</summary>
    public void DropConnection()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _connection;
            _connection = new CancellationTokenSource();
            _window = new SemaphoreSlim(_windowSize, _windowSize);
            _connections++;
        }
        old.Cancel();
        SettleAll(MqttPublishResult.ConnectionLost);
    }
}
