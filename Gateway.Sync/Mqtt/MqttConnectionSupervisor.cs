using System.Threading.Channels;
using Gateway.Sync.Mqtt.Packets;
using Gateway.Sync.Mqtt.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.Mqtt;

/// <summary>
/// Keeps one MQTT connection up for the life of the host. A single loop owns every (re)connect:
/// connect → subscribe → online message → Connected → wait for the connection to end → Failing →
/// back off (exponential, full jitter) → next broker. Nothing else ever reconnects, and every
/// failure (refused, timeout, TLS, malformed packet, closed socket) is a logged state change,
/// never an escaped exception. With a session that outlives the connection, the publishes a lost
/// connection left unacknowledged are carried to the next one (MQTT 5.0 §4.4, see MqttClient).
/// </summary>
internal sealed class MqttConnectionSupervisor : BackgroundService, IMqttUplink
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly MqttSessionSetup _session;
    private readonly MqttClientSettings _settings;
    private readonly IReadOnlyList<MqttBrokerEndpoint> _brokers;
    private readonly IMqttTransportConnector _connector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly Channel<MqttApplicationMessage> _incoming;
    private readonly Lock _gate = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MqttClient? _client;
    // unacknowledged publishes of the last connection, waiting for the next one (only this loop touches it)
    private IReadOnlyList<UnacknowledgedPublish> _carried = [];
    private volatile MqttUplinkStatus _status;
    private volatile bool _stopped;

    public MqttConnectionSupervisor(MqttOptions options, MqttSessionSetup session, IMqttTransportConnector connector, TimeProvider time,
        ILogger<MqttConnectionSupervisor> logger, Func<double>? uniform = null)
    {
        if (options.Brokers.Count == 0)
        {
            throw new ArgumentException("mqtt.brokers must name at least one broker");
        }
        _brokers = [.. options.Brokers.Select(MqttBrokerEndpoint.Parse)];
        _session = session;
        _settings = MqttClientSettings.From(options, session.DefaultClientId, session.Will);
        _connector = connector;
        _time = time;
        _logger = logger;
        _backoff = new ReconnectBackoff(TimeSpan.FromSeconds(options.ReconnectMinSeconds), TimeSpan.FromSeconds(Math.Max(options.ReconnectMinSeconds, options.ReconnectMaxSeconds)), uniform ?? Random.Shared.NextDouble);
        _incoming = Channel.CreateBounded<MqttApplicationMessage>(new BoundedChannelOptions(Math.Max(1, options.IncomingQueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            // not single-writer: a closing connection's reader may still finish a write as the next one starts
            SingleWriter = false,
        });
        _status = new MqttUplinkStatus(MqttConnectionState.Connecting, _brokers[0].ToString(), time.GetUtcNow(), 0, null, 0);
    }

    public MqttUplinkStatus Status => _status;

    public ChannelReader<MqttApplicationMessage> Incoming => _incoming.Reader;

    public async ValueTask<Task<MqttPublishResult>> EnqueuePublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        while (true)
        {
            var client = Volatile.Read(ref _client);
            if (client is { IsOpen: true })
            {
                return await client.EnqueuePublishAsync(message, cancellationToken).ConfigureAwait(false);
            }
            Task connected;
            lock (_gate)
            {
                client = _client;
                connected = _connected.Task;
            }
            if (client is not null)
            {
                if (client.IsOpen)
                {
                    return await client.EnqueuePublishAsync(message, cancellationToken).ConfigureAwait(false);
                }
                Forget(client); // closed but not yet noticed by the loop: wait for the next connection instead
                continue;
            }
            if (_stopped)
            {
                return Task.FromResult(MqttPublishResult.ConnectionLost);
            }
            await connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<MqttPublishResult> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var outcome = await EnqueuePublishAsync(message, cancellationToken).ConfigureAwait(false);
        return await outcome.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _connected.Task.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var index = 0;
        long connections = 0;
        MqttClient? current = null; // the connection this loop set up last, until it has been cleaned up
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var broker = _brokers[index];
                SetStatus(MqttConnectionState.Connecting, broker, failures, _status.LastError, connections);
                Log.Connecting(_logger, broker.ToString(), _settings.ClientId, _settings.ProtocolVersion == MqttProtocolVersion.V311 ? "3.1.1" : "5.0");
                string reason;
                var healthy = false;
                try
                {
                    var client = await MqttClient.ConnectAsync(_connector, broker, _settings, _incoming.Writer, _time, _logger, stoppingToken, _carried).ConfigureAwait(false);
                    _carried = [];
                    current = client;
                    if (client.Resent > 0)
                    {
                        Log.SessionResumed(_logger, broker.ToString(), client.Resent);
                    }
                    try
                    {
                        await SetUpSessionAsync(client, stoppingToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        await client.DisposeAsync().ConfigureAwait(false);
                        _carried = client.TakeUnacknowledged();
                        current = null;
                        throw;
                    }
                    var connectedAt = _time.GetTimestamp();
                    connections++;
                    lock (_gate)
                    {
                        _client = client;
                        // The status first: whoever wakes on the signal (the forwarder) must see this
                        // connection, or it takes itself for a session of an older one and ends at once.
                        SetStatus(MqttConnectionState.Connected, broker, 0, null, connections);
                        _connected.TrySetResult();
                    }
                    Log.Connected(_logger, broker.ToString(), client.ConnAck.SessionPresent, client.Window);
                    reason = await client.Completion.WaitAsync(stoppingToken).ConfigureAwait(false);
                    Forget(client);
                    await client.DisposeAsync().ConfigureAwait(false);
                    _carried = client.TakeUnacknowledged();
                    current = null;
                    // a connection that outlived a keep-alive period was healthy: start the back-off afresh
                    healthy = _time.GetElapsedTime(connectedAt) >= _settings.KeepAlive;
                    Log.ConnectionLost(_logger, broker.ToString(), reason);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    reason = Describe(ex);
                }
                if (healthy)
                {
                    failures = 0;
                }
                else
                {
                    index = (index + 1) % _brokers.Count; // fail over to the next broker
                }
                var delay = _backoff.Next(failures);
                failures++;
                SetStatus(MqttConnectionState.Failing, broker, failures, reason, connections);
                Log.ConnectFailed(_logger, broker.ToString(), reason, (long)delay.TotalMilliseconds, failures);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (current is not null)
            {
                await StopSessionAsync(current).ConfigureAwait(false);
                _carried = current.TakeUnacknowledged();
            }
        }
        // Only a stop gets here. A fault that escaped the loop left above with the incoming queue,
        // the carried publishes and the waiters intact, so that the host's supervisor can run this
        // loop again on the same instance.
        _stopped = true;
        // the session ends with the process: whatever is unacknowledged must be published again later
        foreach (var publish in _carried)
        {
            publish.Outcome.TrySetResult(MqttPublishResult.ConnectionLost);
        }
        _carried = [];
        SetStatus(MqttConnectionState.Stopped, null, 0, _status.LastError, connections);
        _incoming.Writer.TryComplete();
        lock (_gate)
        {
            _connected.TrySetCanceled();
        }
        Log.Stopped(_logger);
    }

    private async Task SetUpSessionAsync(MqttClient client, CancellationToken cancellationToken)
    {
        if (_session.Subscriptions.Count > 0)
        {
            var codes = await client.SubscribeAsync(_session.Subscriptions, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < codes.Count && i < _session.Subscriptions.Count; i++)
            {
                if (codes[i] >= 0x80)
                {
                    Log.SubscriptionRefused(_logger, _session.Subscriptions[i].TopicFilter, codes[i]);
                }
            }
        }
        if (_session.OnlineMessage is not null)
        {
            await PublishSessionMessageAsync(client, _session.OnlineMessage(), "online", cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StopSessionAsync(MqttClient client)
    {
        Forget(client);
        using var timeout = new CancellationTokenSource(StopTimeout, _time);
        try
        {
            if (_session.OfflineMessage is not null && client.IsOpen)
            {
                await PublishSessionMessageAsync(client, _session.OfflineMessage(), "offline", timeout.Token).ConfigureAwait(false);
            }
            await client.DisconnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the broker is too slow to say goodbye to; the will covers us
        }
        finally
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task PublishSessionMessageAsync(MqttClient client, MqttApplicationMessage message, string which, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_settings.AckTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var outcome = await client.EnqueuePublishAsync(message, linked.Token).ConfigureAwait(false);
        var result = await outcome.WaitAsync(linked.Token).ConfigureAwait(false);
        if (result.Outcome is not (MqttPublishOutcome.Delivered or MqttPublishOutcome.Sent))
        {
            Log.SessionMessageFailed(_logger, which, result.Outcome.ToString());
        }
    }

    private void Forget(MqttClient client)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_client, client))
            {
                _client = null;
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void SetStatus(MqttConnectionState state, MqttBrokerEndpoint? broker, int failures, string? lastError, long connections) =>
        _status = new MqttUplinkStatus(state, broker?.ToString(), _time.GetUtcNow(), failures, lastError, connections);

    private static string Describe(Exception ex) => ex switch
    {
        AggregateException { InnerException: { } inner } => Describe(inner),
        _ when ex.InnerException is { } inner && ex is System.Security.Authentication.AuthenticationException => $"{ex.Message} ({inner.Message})",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
