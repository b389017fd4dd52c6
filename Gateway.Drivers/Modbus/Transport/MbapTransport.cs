using System.Runtime.CompilerServices;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Drivers.Modbus.Transport;

/// <summary>
/// Modbus TCP (MBAP). Each request gets the next transaction id; responses with another id (a
/// late answer to a timed-out request) or another unit id are counted and skipped, so a late
/// answer is never taken for the current one. A bad header means the stream lost its framing:
/// the connection is closed and reopened on the next request.
/// </summary>
public sealed class MbapTransport(ByteChannelConnector connect, ModbusLinkCounters counters) : ModbusTransport(connect, counters)
{
    private readonly byte[] _send = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
    private readonly byte[] _receive = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
    private ushort _transactionId;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<TransferResult> ExchangeAsync(IByteChannel channel, byte unitId, ReadOnlyMemory<byte> requestPdu, Memory<byte> responsePdu, CancellationToken cancellationToken)
    {
        var id = ++_transactionId;
        MbapHeader.Write(id, unitId, requestPdu.Length, _send);
        requestPdu.Span.CopyTo(_send.AsSpan(MbapHeader.Size));
        await channel.WriteAsync(_send.AsMemory(0, MbapHeader.Size + requestPdu.Length), cancellationToken).ConfigureAwait(false);

        while (true)
        {
            await ReadFrameAsync(channel, MbapHeader.Size, 0, cancellationToken).ConfigureAwait(false);
            if (!MbapHeader.TryParse(_receive, out var header))
            {
                Desynchronised = true;
                return TransferResult.Of(TransferStatus.Malformed);
            }
            await ReadFrameAsync(channel, header.PduLength, MbapHeader.Size, cancellationToken).ConfigureAwait(false);
            if (header.TransactionId != id)
            {
                Counters.StaleResponse();
                continue;
            }
            if (header.UnitId != unitId)
            {
                Counters.WrongUnitResponse();
                continue;
            }
            _receive.AsSpan(MbapHeader.Size, header.PduLength).CopyTo(responsePdu.Span);
            return new TransferResult(TransferStatus.Ok, header.PduLength);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadFrameAsync(IByteChannel channel, int count, int offset, CancellationToken cancellationToken)
    {
        var read = 0;
        try
        {
            while (read < count)
            {
                read += await ReadSomeAsync(channel, _receive.AsMemory(offset + read, count - read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped inside a frame (offset > 0: the header is already consumed): the rest would be read as a header.
            Desynchronised = read > 0 || offset > 0;
            throw;
        }
    }
}
