using Gateway.Sync.Mqtt.Packets;

namespace Gateway.Sync.Mqtt.Transport;

/// <summary>
/// Packets over a byte stream: frames incoming bytes by the fixed header (MQTT 5.0 §2.1) into one
/// reusable buffer that never grows beyond the maximum incoming packet size, and writes encoded
/// bytes. Reads and writes may run concurrently (one reader, one writer).
/// </summary>
internal sealed class MqttChannel : IAsyncDisposable
{
    private const int InitialBufferSize = 8 * 1024;

    private readonly Stream _stream;
    private readonly int _maxIncomingPacketSize;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;

    public MqttChannel(Stream stream, int maxIncomingPacketSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIncomingPacketSize, 16);
        _stream = stream;
        _maxIncomingPacketSize = maxIncomingPacketSize;
    }

    /// <summary>
    /// Reads the next whole packet. Its body is valid only until the next call. Throws
    /// <see cref="MqttProtocolException"/> for a malformed or oversized packet and
    /// <see cref="EndOfStreamException"/> when the peer closes, also mid-packet.
    /// </summary>
    public async ValueTask<MqttReceivedPacket> ReadPacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var status = MqttPacketCodec.TryReadFixedHeader(available, out var firstByte, out var remainingLength, out var headerLength);
            if (status == MqttVariableByteInteger.Status.Malformed)
            {
                throw new MqttProtocolException("malformed remaining length (more than four bytes)");
            }
            if (status == MqttVariableByteInteger.Status.Ok)
            {
                var total = (long)headerLength + remainingLength;
                if (total > _maxIncomingPacketSize)
                {
                    // MQTT 5.0 §3.1.2.11.4: a packet above our Maximum Packet Size is a protocol error
                    throw new MqttProtocolException($"incoming packet of {total} bytes exceeds the maximum of {_maxIncomingPacketSize}");
                }
                if (available.Length >= total)
                {
                    var packet = new MqttReceivedPacket(firstByte, _buffer.AsMemory(_start + headerLength, remainingLength));
                    _start += (int)total;
                    return packet;
                }
                MakeRoom((int)total);
            }
            else
            {
                MakeRoom(5);
            }
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException(_end > _start ? "broker closed the connection mid-packet" : "broker closed the connection");
            }
            _end += read;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    // Ensures the buffer can hold `needed` bytes from _start, plus free space to read into.
    private void MakeRoom(int needed)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        if (_buffer.Length - _start >= needed && _end < _buffer.Length)
        {
            return;
        }
        var size = _buffer.Length;
        while (size < needed)
        {
            size *= 2;
        }
        size = Math.Min(Math.Max(size, needed), _maxIncomingPacketSize + 5);
        var target = size == _buffer.Length ? _buffer : new byte[size];
        Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
        _end -= _start;
        _start = 0;
        _buffer = target;
    }
}
