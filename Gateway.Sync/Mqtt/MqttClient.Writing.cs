using System.Threading.Channels;
using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt;

// The outgoing queue: packets written by whichever caller finds no write in progress, coalesced into few socket writes.
internal sealed partial class MqttClient
{
    private const int WriteBufferSize = 64 * 1024;
    private readonly Channel<IMqttPacket> _outgoing;
    private long _lastSent;
    private long _writeStarted;
    private int _dispatchingThread;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _writeBuffer = new byte[WriteBufferSize];

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
}
