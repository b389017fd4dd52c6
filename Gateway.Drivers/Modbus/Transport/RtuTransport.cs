using System.Runtime.CompilerServices;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Drivers.Modbus.Transport;

/// <summary>
/// Modbus RTU framing over a serial port or a TCP stream (RTU over TCP). The response is found
/// by scanning what arrives for a frame that starts with the request's unit id and function (or
/// its exception), has the length that its header implies and a good CRC; bytes around it are
/// noise and counted, frames of other units are counted and skipped. On a serial bus the master
/// keeps the t3.5 silence before each request (Modbus over Serial Line v1.02, 2.5.1.1) and drops
/// input left over from an earlier exchange.
/// </summary>
public sealed class RtuTransport : ModbusTransport
{
    private readonly byte[] _send = new byte[RtuFrame.Overhead + ModbusLimits.MaxPduLength];
    private readonly byte[] _receive = new byte[1024];
    private readonly TimeProvider _time;
    private readonly TimeSpan _interFrame;
    private long _lastActivity;

    /// <param name="interFrame">t3.5 for a serial line (<see cref="RtuTiming.ForBaud"/>); zero for RTU over TCP, where the serial server keeps the timing.</param>
    public RtuTransport(ByteChannelConnector connect, ModbusLinkCounters counters, TimeProvider time, TimeSpan interFrame)
        : base(connect, counters)
    {
        _time = time;
        _interFrame = interFrame;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<TransferResult> ExchangeAsync(IByteChannel channel, byte unitId, ReadOnlyMemory<byte> requestPdu, Memory<byte> responsePdu, CancellationToken cancellationToken)
    {
        if (_interFrame > TimeSpan.Zero)
        {
            var silence = _time.GetElapsedTime(_lastActivity);
            if (silence < _interFrame)
            {
                await Task.Delay(_interFrame - silence, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        Counters.Noise(channel.DiscardInput());
        var length = RtuFrame.Write(unitId, requestPdu.Span, _send);
        await channel.WriteAsync(_send.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        _lastActivity = _time.GetTimestamp();

        var function = requestPdu.Span[0];
        var count = 0;
        var sawBadCrc = false;
        try
        {
            while (true)
            {
                if (count == _receive.Length)
                {
                    // A flood of noise: keep the newer half, a frame is at most 256 bytes.
                    var keep = _receive.Length / 2;
                    Counters.Noise(count - keep);
                    _receive.AsSpan(count - keep, keep).CopyTo(_receive);
                    count = keep;
                }
                count += await ReadSomeAsync(channel, _receive.AsMemory(count), cancellationToken).ConfigureAwait(false);
                _lastActivity = _time.GetTimestamp();
                var found = Scan(_receive.AsSpan(0, count), unitId, function, ref sawBadCrc, out var start, out var frameLength, out var consumed);
                if (found)
                {
                    Counters.Noise(count - (start + frameLength));
                    var pduLength = frameLength - RtuFrame.Overhead;
                    _receive.AsSpan(start + 1, pduLength).CopyTo(responsePdu.Span);
                    return new TransferResult(TransferStatus.Ok, pduLength);
                }
                if (consumed > 0)
                {
                    _receive.AsSpan(consumed, count - consumed).CopyTo(_receive);
                    count -= consumed;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Counters.Noise(count);
            return TransferResult.Of(sawBadCrc ? TransferStatus.CrcError : count > 0 ? TransferStatus.Garbled : TransferStatus.Timeout);
        }
    }

    /// <summary>
    /// Looks for the answer in <paramref name="data"/>; <paramref name="start"/> and
    /// <paramref name="frameLength"/> locate it. Frames of other units with a good CRC are counted
    /// and, with the noise before them, reported as <paramref name="consumed"/>.
    /// </summary>
    private bool Scan(ReadOnlySpan<byte> data, byte unitId, byte function, ref bool sawBadCrc, out int start, out int frameLength, out int consumed)
    {
        consumed = 0;
        for (start = 0; start + 1 < data.Length; start++)
        {
            var candidate = data[start..];
            if (candidate[1] != function && candidate[1] != (function | 0x80))
            {
                continue;
            }
            frameLength = RtuFrame.ExpectedResponseLength(candidate);
            if (frameLength == 0 || frameLength > candidate.Length)
            {
                continue;
            }
            if (!RtuFrame.TryParse(candidate[..frameLength], out var unit, out _))
            {
                if (candidate[0] == unitId)
                {
                    sawBadCrc = true;
                }
                continue;
            }
            if (unit != unitId)
            {
                Counters.WrongUnitResponse();
                Counters.Noise(start - consumed);
                consumed = start + frameLength;
                start = consumed - 1;
                continue;
            }
            Counters.Noise(start - consumed);
            return true;
        }
        frameLength = 0;
        return false;
    }
}
