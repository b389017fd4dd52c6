using System.Threading.Channels;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Mqtt;

/// <summary>
/// One MQTT connection, from CONNECT to its end. Two loops run per connection: a reader
/// (dispatches PUBACK/SUBACK/PUBLISH) and a keep-alive/timeout watchdog; packets are written by
/// whichever caller queues one while no write is in progress (see <see cref="DrainOutgoingAsync"/>),
/// coalesced into few socket writes. Any failure — malformed packet, closed socket, missed
/// PINGRESP, stalled PUBACK or write — ends the connection: <see cref="Completion"/> then
/// yields the reason and every unacknowledged publish completes as
/// <see cref="MqttPublishOutcome.ConnectionLost"/> — unless the session outlives the connection
/// (session expiry &gt; 0, i.e. Clean Start 0): then the unacknowledged publishes stay pending and
/// are handed over (<see cref="TakeUnacknowledged"/>) to be sent again on the next connection with
/// their original packet ids if the broker still has the session (MQTT 5.0 §4.4, 3.1.1 §4.4).
/// Nothing here reconnects; the supervisor does.
/// </summary>
internal sealed partial class MqttClient : IAsyncDisposable
{
    private readonly MqttChannel _channel;
    private readonly MqttClientSettings _settings;
    private readonly ChannelWriter<MqttApplicationMessage> _incoming;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MqttClient(MqttChannel channel, MqttClientSettings settings, ConnAckPacket connAck, ChannelWriter<MqttApplicationMessage> incoming, TimeProvider time, ILogger logger)
    {
        _channel = channel;
        _settings = settings;
        _incoming = incoming;
        _time = time;
        _logger = logger;
        ConnAck = connAck;
        // MQTT 5.0 §3.2.2.3.3: never more unacknowledged QoS 1 publishes than the broker's Receive Maximum
        Window = Math.Max(1, Math.Min(settings.InFlightWindow, connAck.ReceiveMaximum ?? ushort.MaxValue));
        _window = new InFlightWindow(Window);
        // SingleReader holds: only the holder of _writeLock reads
        _outgoing = Channel.CreateBounded<IMqttPacket>(new BoundedChannelOptions(Window + 16) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        // §3.2.2.3.14: a Server Keep Alive replaces ours
        _keepAlive = connAck.ServerKeepAlive is { } serverKeepAlive ? TimeSpan.FromSeconds(serverKeepAlive) : settings.KeepAlive;
        _maxOutgoingPacketSize = connAck.MaximumPacketSize ?? uint.MaxValue;
        _lastReceived = _lastSent = time.GetTimestamp();
    }

    public ConnAckPacket ConnAck { get; }

    /// <summary>The in-flight window in force: ours, lowered to the broker's Receive Maximum.</summary>
    public int Window { get; }

    /// <summary>Completes (never faults) with the reason the connection ended.</summary>
    public Task<string> Completion => _closed.Task;

    public bool IsOpen => !_closed.Task.IsCompleted;

    /// <summary>Publishes sent again at the start of this connection, with their original packet ids (§4.4).</summary>
    public int Resent { get; private set; }

    public async ValueTask DisposeAsync()
    {
        // The token source stays undisposed on purpose: a publisher holding this
        // client may still touch them, and neither owns an unmanaged resource here.
        await CloseAsync("disposed").ConfigureAwait(false);
    }

    private void Start()
    {
        _ = RunGuardedAsync(ReadLoopAsync, "read");
        _ = RunGuardedAsync(WatchdogLoopAsync, "keep-alive");
    }

    // Every loop ends the connection on any exception; nothing escapes to the caller.
    private async Task RunGuardedAsync(Func<CancellationToken, Task> loop, string name)
    {
        try
        {
            await loop(_lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            await CloseAsync($"{name}: {ex.Message}").ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(string reason)
    {
        List<PendingRequest> orphans = [];
        lock (_gate)
        {
            if (!_closed.TrySetResult(reason))
            {
                return;
            }
            List<UnacknowledgedPublish> carried = [];
            foreach (var (packetId, pending) in _pending)
            {
                if (pending.Publish is not null && _settings.SessionExpirySeconds > 0)
                {
                    carried.Add(new UnacknowledgedPublish(packetId, pending.Message!, pending.Publish, pending.Order));
                }
                else
                {
                    orphans.Add(pending);
                }
            }
            carried.Sort((a, b) => a.Order.CompareTo(b.Order));
            _unacknowledged = carried;
            _pending.Clear();
        }
        Log.ConnectionClosed(_logger, reason);
        _window.Close();
        _outgoing.Writer.TryComplete();
        await _lifetime.CancelAsync().ConfigureAwait(false);
        foreach (var orphan in orphans)
        {
            // no PUBACK came: the outcome is unknown, so the caller must publish again
            orphan.Publish?.TrySetResult(MqttPublishResult.ConnectionLost);
            orphan.Subscribe?.TrySetResult(null);
        }
        await _channel.DisposeAsync().ConfigureAwait(false);
    }
}
