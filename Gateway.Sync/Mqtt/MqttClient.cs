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
internal sealed class MqttClient : IAsyncDisposable
{
    private const int WriteBufferSize = 64 * 1024;

    private readonly MqttChannel _channel;
    private readonly MqttClientSettings _settings;
    private readonly ChannelWriter<MqttApplicationMessage> _incoming;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<IMqttPacket> _outgoing;
    private readonly Lock _gate = new();
    private readonly Dictionary<ushort, PendingRequest> _pending = [];
    private readonly InFlightWindow _window;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _keepAlive;
    private readonly uint _maxOutgoingPacketSize;
    private ushort _lastPacketId;
    private long _publishOrder;
    private IReadOnlyList<UnacknowledgedPublish> _unacknowledged = [];
    private long _lastReceived;
    private long _lastSent;
    private long _writeStarted;
    private int _dispatchingThread;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _writeBuffer = new byte[WriteBufferSize];

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

    /// <summary>
    /// After <see cref="Completion"/>: the QoS 1 publishes still unacknowledged when the connection
    /// ended, oldest first, if the session outlives the connection (their outcomes are still pending);
    /// empty otherwise (they completed as <see cref="MqttPublishOutcome.ConnectionLost"/>).
    /// </summary>
    public IReadOnlyList<UnacknowledgedPublish> TakeUnacknowledged()
    {
        lock (_gate)
        {
            var taken = _unacknowledged;
            _unacknowledged = [];
            return taken;
        }
    }

    /// <summary>
    /// Opens the transport, sends CONNECT and waits for a successful CONNACK, all within
    /// <see cref="MqttClientSettings.ConnectTimeout"/>. Throws on any failure, leaving
    /// <paramref name="carried"/> untouched. On success the client owns <paramref name="carried"/>
    /// (the unacknowledged publishes of the previous connection): if the broker kept the session
    /// they are sent again first, with their original packet ids and DUP set (MQTT 5.0 §4.4); if
    /// not, or beyond the in-flight window, they complete as <see cref="MqttPublishOutcome.ConnectionLost"/>.
    /// </summary>
    public static async Task<MqttClient> ConnectAsync(IMqttTransportConnector connector, MqttBrokerEndpoint endpoint, MqttClientSettings settings,
        ChannelWriter<MqttApplicationMessage> incoming, TimeProvider time, ILogger logger, CancellationToken cancellationToken,
        IReadOnlyList<UnacknowledgedPublish>? carried = null)
    {
        using var timeout = new CancellationTokenSource(settings.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        MqttChannel? channel = null;
        try
        {
            var stream = await connector.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
            channel = new MqttChannel(stream, settings.MaxIncomingPacketSize);
            var connect = new ConnectPacket
            {
                ClientId = settings.ClientId,
                CleanStart = settings.SessionExpirySeconds == 0,
                KeepAliveSeconds = (ushort)Math.Clamp(settings.KeepAlive.TotalSeconds, 0, ushort.MaxValue),
                Username = settings.Username,
                // (a null byte[] would silently become an empty, non-null ReadOnlyMemory: test explicitly)
                Password = settings.Password is null ? null : (ReadOnlyMemory<byte>?)System.Text.Encoding.UTF8.GetBytes(settings.Password),
                Will = settings.Will,
                SessionExpiryInterval = settings.SessionExpirySeconds,
                ReceiveMaximum = (ushort)Math.Clamp(settings.InFlightWindow, 1, ushort.MaxValue),
                MaximumPacketSize = (uint)settings.MaxIncomingPacketSize,
            };
            var bytes = new byte[MqttPacketCodec.GetEncodedLength(connect, settings.ProtocolVersion)];
            MqttPacketCodec.Encode(connect, settings.ProtocolVersion, bytes);
            await channel.WriteAsync(bytes, linked.Token).ConfigureAwait(false);

            var received = await channel.ReadPacketAsync(linked.Token).ConfigureAwait(false);
            if (!MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, settings.ProtocolVersion, out var packet, out var error))
            {
                throw new MqttProtocolException($"bad answer to CONNECT: {error}");
            }
            if (packet is not ConnAckPacket connAck)
            {
                throw new MqttProtocolException($"expected CONNACK, got {packet!.Type}");
            }
            if (connAck.ReasonCode != 0)
            {
                throw new MqttConnectionRefusedException(connAck.ReasonCode, connAck.ReasonString);
            }
            var client = new MqttClient(channel, settings, connAck, incoming, time, logger);
            client.ResumeSession(carried ?? []);
            client.Start();
            if (client.Resent > 0)
            {
                await client.DrainOutgoingAsync().ConfigureAwait(false);
            }
            return client;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            throw new TimeoutException($"no CONNACK from {endpoint} within {settings.ConnectTimeout.TotalSeconds:0.#} s");
        }
        catch
        {
            if (channel is not null)
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
    }

    /// <summary>
    /// Queues a publish. Waits for a free in-flight slot (QoS 1) and queue space, then returns a
    /// task that completes when the broker acknowledged it (QoS 1), once queued (QoS 0), or as
    /// <see cref="MqttPublishOutcome.ConnectionLost"/> when the connection ends first.
    /// </summary>
    public async ValueTask<Task<MqttPublishResult>> EnqueuePublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
        if ((uint)PublishPacket.GetEncodedLength(message, _settings.ProtocolVersion) > _maxOutgoingPacketSize)
        {
            // MQTT 5.0 §3.1.2.11.4 (the broker's limit): sending it would get us disconnected
            return Task.FromResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x95));
        }
        if (ConnAck.MaximumQos is { } maximumQos && (byte)message.Qos > maximumQos)
        {
            // §3.2.2.3.4: never above the broker's Maximum QoS; at-least-once cannot be silently downgraded
            return Task.FromResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x9B));
        }
        if (message.Retain && ConnAck.RetainAvailable == false)
        {
            // §3.2.2.3.5: a retained PUBLISH to a broker without retain support is a protocol error
            return Task.FromResult(new MqttPublishResult(MqttPublishOutcome.Rejected, 0x9A));
        }
        try
        {
            if (message.Qos == MqttQualityOfService.AtMostOnce)
            {
                await WriteOutgoingAsync(new PublishPacket { Message = message }, cancellationToken).ConfigureAwait(false);
                return Task.FromResult(MqttPublishResult.Sent);
            }
            if (!await _window.AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                return Task.FromResult(MqttPublishResult.ConnectionLost); // closed while waiting for a slot
            }
            // Deliberately synchronous continuations: a forwarder awaiting this outcome resumes on the
            // reader as the PUBACK is parsed and writes its next PUBLISH straight away, without a
            // thread hop per message. Its continuation must therefore not block (it may await freely).
            var outcome = new TaskCompletionSource<MqttPublishResult>();
            ushort packetId;
            lock (_gate)
            {
                if (!IsOpen)
                {
                    _window.Release();
                    return Task.FromResult(MqttPublishResult.ConnectionLost);
                }
                packetId = AllocatePacketId(new PendingRequest(outcome, null, _time.GetTimestamp(), message, ++_publishOrder));
            }
            try
            {
                await WriteOutgoingAsync(new PublishPacket { Message = message, PacketId = packetId }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // never queued: give the id and the slot back, or the watchdog would later see an overdue PUBACK
                bool removed;
                lock (_gate)
                {
                    removed = _pending.Remove(packetId);
                }
                if (removed)
                {
                    _window.Release();
                }
                // if the close already carried it to the next connection: it was never sent, do not resend it
                outcome.TrySetResult(MqttPublishResult.ConnectionLost);
                throw;
            }
            return outcome.Task;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
        catch (ChannelClosedException)
        {
            return Task.FromResult(MqttPublishResult.ConnectionLost);
        }
    }

    /// <summary>
    /// MQTT 5.0 §4.4 [MQTT-4.4.0-1] (3.1.1 the same): on a connection with Clean Start 0 and Session
    /// Present 1, unacknowledged PUBLISH packets are sent again with their original packet ids, before
    /// anything new — so order is kept. They count against the in-flight window (§4.9).
    /// </summary>
    private void ResumeSession(IReadOnlyList<UnacknowledgedPublish> carried)
    {
        var resume = ConnAck.SessionPresent && _settings.SessionExpirySeconds > 0;
        var now = _time.GetTimestamp();
        foreach (var publish in carried)
        {
            if (publish.Outcome.Task.IsCompleted)
            {
                continue; // its publisher already gave up on it before it reached the socket
            }
            if (resume && Resent < Window && _pending.TryAdd(publish.PacketId, new PendingRequest(publish.Outcome, null, now, publish.Message, ++_publishOrder)))
            {
                _window.TryAcquire();
                _lastPacketId = publish.PacketId;
                _outgoing.Writer.TryWrite(new PublishPacket { Message = publish.Message, PacketId = publish.PacketId, Duplicate = true });
                Resent++;
            }
            else
            {
                // no session on the broker (or a smaller window now): the publisher must send it again
                publish.Outcome.TrySetResult(MqttPublishResult.ConnectionLost);
            }
        }
    }

    /// <summary>Queues a packet and, unless another caller is already writing, writes the queue out itself.</summary>
    private async ValueTask WriteOutgoingAsync(IMqttPacket packet, CancellationToken cancellationToken)
    {
        if (!_outgoing.Writer.TryWrite(packet))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.Token);
            await _outgoing.Writer.WriteAsync(packet, linked.Token).ConfigureAwait(false);
        }
        if (Volatile.Read(ref _dispatchingThread) == Environment.CurrentManagedThreadId)
        {
            return; // running inside the reader's dispatch (a PUBACK continuation): it drains once per batch
        }
        await DrainOutgoingAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Writes queued packets, coalesced into few socket writes, on the caller's own thread: there is
    /// no writer task to wake per packet. Whoever takes <see cref="_writeLock"/> drains the queue;
    /// others only enqueue. The count is checked again after releasing the lock so that a packet
    /// queued meanwhile is never stranded. A failed write ends the connection (never the caller).
    /// </summary>
    private async ValueTask DrainOutgoingAsync()
    {
        while (_outgoing.Reader.Count > 0 && IsOpen && _writeLock.Wait(0))
        {
            try
            {
                await WriteQueuedAsync(_lifetime.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                await CloseAsync($"write: {ex.Message}").ConfigureAwait(false);
                return;
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    /// <summary>SUBSCRIBE and wait for SUBACK (within the connect timeout); returns the granted QoS / reason code per filter.</summary>
    public async Task<IReadOnlyList<byte>> SubscribeAsync(IReadOnlyList<MqttSubscription> subscriptions, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(null, new TaskCompletionSource<SubAckPacket?>(TaskCreationOptions.RunContinuationsAsynchronously), _time.GetTimestamp(), null, 0);
        ushort packetId;
        lock (_gate)
        {
            if (!IsOpen)
            {
                throw new IOException("connection closed");
            }
            packetId = AllocatePacketId(pending);
        }
        using var timeout = new CancellationTokenSource(_settings.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await WriteOutgoingAsync(new SubscribePacket { PacketId = packetId, Subscriptions = subscriptions }, linked.Token).ConfigureAwait(false);
        var subAck = await pending.Subscribe!.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        return subAck?.ReasonCodes ?? throw new IOException("connection closed before SUBACK");
    }

    /// <summary>A normal DISCONNECT (the broker discards the will, MQTT 5.0 §3.14.4), then closes.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            return;
        }
        try
        {
            await WriteOutgoingAsync(DisconnectPacket.Normal, cancellationToken).ConfigureAwait(false);
            // Drain explicitly: running as a PUBACK continuation on the reader, WriteOutgoingAsync only
            // queued it, and the connection closes below, before the reader would drain.
            await DrainOutgoingAsync().ConfigureAwait(false);
            // wait until whoever holds the write lock has put the DISCONNECT on the wire
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            _writeLock.Release();
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            // closing anyway
        }
        await CloseAsync("disconnected by the client").ConfigureAwait(false);
    }

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

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var version = _settings.ProtocolVersion;
        while (!cancellationToken.IsCancellationRequested)
        {
            var received = await _channel.ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastReceived, _time.GetTimestamp());
            await DispatchAsync(received, version, cancellationToken).ConfigureAwait(false);
            // Publishes queued by continuations of the PUBACKs just read go out together, in one
            // socket write, once no further packet is waiting in the buffer.
            if (!_channel.HasBufferedPacket)
            {
                await DrainOutgoingAsync().ConfigureAwait(false);
            }
        }
    }

    private async ValueTask DispatchAsync(MqttReceivedPacket received, MqttProtocolVersion version, CancellationToken cancellationToken)
    {
        if (received.FirstByte == 0x40 && received.Body.Length == 2)
        {
            // the common PUBACK (§3.4.2.1: success, no properties) without allocating a packet
            CompletePublish(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(received.Body.Span), MqttPublishResult.Delivered);
            return;
        }
        if (!MqttPacketCodec.TryDecode(received.FirstByte, received.Body.Span, version, out var packet, out var error))
        {
            throw new MqttProtocolException(error);
        }
        switch (packet)
        {
            case PubAckPacket pubAck:
                CompletePublish(pubAck.PacketId, pubAck.IsSuccess ? MqttPublishResult.Delivered : new MqttPublishResult(MqttPublishOutcome.Rejected, pubAck.ReasonCode));
                break;
            case SubAckPacket subAck:
                Take(subAck.PacketId, isPublish: false).Subscribe!.TrySetResult(subAck);
                break;
            case PublishPacket publish:
                // the consumer's queue may be full and hold us here: first send what earlier PUBACKs of this batch queued
                await DrainOutgoingAsync().ConfigureAwait(false);
                // At least once (MQTT 5.0 §4.3.2): PUBACK only after the message is in the consumer's queue.
                await _incoming.WriteAsync(publish.Message, cancellationToken).ConfigureAwait(false);
                if (publish.Message.Qos == MqttQualityOfService.AtLeastOnce)
                {
                    await WriteOutgoingAsync(new PubAckPacket(publish.PacketId), cancellationToken).ConfigureAwait(false);
                }
                break;
            case PingRespPacket:
                break;
            case DisconnectPacket disconnect:
                throw new IOException($"broker sent DISCONNECT, reason 0x{disconnect.ReasonCode:X2}{(disconnect.ReasonString is null ? "" : " " + disconnect.ReasonString)}");
            default:
                throw new MqttProtocolException($"unexpected {packet!.Type} from the broker");
        }
    }

    // Called with _writeLock held.
    private async Task WriteQueuedAsync(CancellationToken cancellationToken)
    {
        var version = _settings.ProtocolVersion;
        var reader = _outgoing.Reader;
        var used = 0;
        while (reader.TryRead(out var packet))
        {
            var length = MqttPacketCodec.GetEncodedLength(packet, version);
            if (length > _writeBuffer.Length - used)
            {
                if (used > 0)
                {
                    await FlushAsync(_writeBuffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                    used = 0;
                }
                if (length > _writeBuffer.Length)
                {
                    // one large message (a snapshot): a buffer of its own, not kept
                    var large = new byte[length];
                    MqttPacketCodec.Encode(packet, version, large);
                    await FlushAsync(large, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            used += MqttPacketCodec.Encode(packet, version, _writeBuffer.AsSpan(used));
        }
        if (used > 0)
        {
            await FlushAsync(_writeBuffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
        }
    }

    // The watchdog bounds the write: one stuck longer than the ack timeout closes the connection,
    // which disposes the stream and fails the write (no token source per write on the hot path).
    private async Task FlushAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _writeStarted, _time.GetTimestamp());
        await _channel.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _writeStarted, 0);
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
    }

    /// <summary>
    /// MQTT 5.0 §3.1.2.10: send PINGREQ when idle so that the broker hears from us within the keep
    /// alive; declare the broker dead when nothing came back for a whole keep-alive period, or when
    /// a PUBACK/SUBACK is overdue.
    /// </summary>
    private async Task WatchdogLoopAsync(CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond / 4, _keepAlive.Ticks / 4));
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(tick, _time, cancellationToken).ConfigureAwait(false);
            var now = _time.GetTimestamp();
            if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) > _keepAlive)
            {
                throw new TimeoutException($"nothing received from the broker for {_keepAlive.TotalSeconds:0.#} s (keep alive)");
            }
            if (Volatile.Read(ref _writeStarted) is var writeStarted and not 0 && _time.GetElapsedTime(writeStarted, now) > _settings.AckTimeout)
            {
                throw new TimeoutException($"a socket write took longer than {_settings.AckTimeout.TotalSeconds:0.#} s");
            }
            if (OldestPendingSince() is { } oldest && _time.GetElapsedTime(oldest, now) > _settings.AckTimeout)
            {
                throw new TimeoutException($"an acknowledgement is overdue by more than {_settings.AckTimeout.TotalSeconds:0.#} s");
            }
            if (_time.GetElapsedTime(Volatile.Read(ref _lastSent), now) >= _keepAlive / 2
                || _time.GetElapsedTime(Volatile.Read(ref _lastReceived), now) >= _keepAlive / 2)
            {
                _outgoing.Writer.TryWrite(PingReqPacket.Instance);
                await DrainOutgoingAsync().ConfigureAwait(false);
            }
        }
    }

    private long? OldestPendingSince()
    {
        lock (_gate)
        {
            long? oldest = null;
            foreach (var pending in _pending.Values)
            {
                oldest = oldest is null ? pending.Since : Math.Min(oldest.Value, pending.Since);
            }
            return oldest;
        }
    }

    private void CompletePublish(ushort packetId, MqttPublishResult result)
    {
        var pending = Take(packetId, isPublish: true);
        // Publishers waiting for the slot or for this outcome resume inline here; what they queue
        // is drained by the reader once after this batch.
        Volatile.Write(ref _dispatchingThread, Environment.CurrentManagedThreadId);
        try
        {
            _window.Release();
            pending.Publish!.TrySetResult(result);
        }
        finally
        {
            Volatile.Write(ref _dispatchingThread, 0);
        }
    }

    private PendingRequest Take(ushort packetId, bool isPublish)
    {
        lock (_gate)
        {
            if (!_pending.Remove(packetId, out var pending) || (pending.Publish is not null) != isPublish)
            {
                // MQTT 5.0 §4.6: an acknowledgement must match an outstanding request
                throw new MqttProtocolException($"unexpected acknowledgement for packet id {packetId}");
            }
            return pending;
        }
    }

    private ushort AllocatePacketId(PendingRequest pending)
    {
        // Called under _gate. The window (≤ 65535) keeps free ids available.
        for (var i = 0; i < ushort.MaxValue; i++)
        {
            _lastPacketId = _lastPacketId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastPacketId + 1);
            if (_pending.TryAdd(_lastPacketId, pending))
            {
                return _lastPacketId;
            }
        }
        throw new InvalidOperationException("no free packet identifier");
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

    /// <summary>An outstanding QoS 1 publish (with its message and send order) or subscribe, waiting for its acknowledgement since <paramref name="Since"/>.</summary>
    private sealed record PendingRequest(TaskCompletionSource<MqttPublishResult>? Publish, TaskCompletionSource<SubAckPacket?>? Subscribe, long Since, MqttApplicationMessage? Message, long Order);
}

/// <summary>
/// A QoS 1 publish still unacknowledged when its connection ended, carried by the session to the
/// next connection (MQTT 5.0 §4.4); <paramref name="Outcome"/> is the publisher's pending outcome.
/// </summary>
internal sealed record UnacknowledgedPublish(ushort PacketId, MqttApplicationMessage Message, TaskCompletionSource<MqttPublishResult> Outcome, long Order);
