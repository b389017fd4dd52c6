using System.Net.Sockets;
using System.Runtime.CompilerServices;

using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Channels;

namespace Gateway.Drivers.Modbus.Transport;

/// <summary>
/// One request → its response over a (re)connectable <see cref="IByteChannel"/>. Opens the
/// channel when needed, closes it only when the stream can no longer be trusted (closed,
/// failed, or desynchronised mid-frame) — a single timeout never resets the link. Framing lives
/// in <see cref="MbapTransport"/> and <see cref="RtuTransport"/>. Not thread-safe: the link
/// owning it runs one transaction at a time.
/// </summary>
public abstract class ModbusTransport : IAsyncDisposable
{
    private readonly ByteChannelConnector _connect;
    private IByteChannel? _channel;

    protected ModbusTransport(ByteChannelConnector connect, ModbusLinkCounters counters)
    {
        _connect = connect;
        Counters = counters;
    }

    public ModbusLinkCounters Counters { get; }

    /// <summary>
    /// The specific cause of the last <see cref="TransferStatus.ConnectionFailed"/> (<c>connection refused</c>,
    /// <c>ENOENT /dev/ttyS3</c>, <c>timeout while connecting</c>), for <c>device.offline</c>; null before any.
    /// </summary>
    public string? LastConnectionFault { get; private set; }

    /// <summary>Set by an exchange that stopped in the middle of a frame: the stream position is unknown.</summary>
    protected bool Desynchronised { get; set; }

    /// <summary>
    /// Sends <paramref name="requestPdu"/> to <paramref name="unitId"/> and copies the matching
    /// response PDU into <paramref name="responsePdu"/> (≥ 253 bytes). <paramref name="timeoutToken"/>
    /// bounds the whole exchange including a connect; its cancellation is a timeout, not an error.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TransferResult> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, Memory<byte> responsePdu, CancellationToken timeoutToken)
    {
        Counters.Transaction();
        var result = await ExchangeOrFailAsync(unitId, requestPdu, responsePdu, timeoutToken).ConfigureAwait(false);
        Counters.Count(result.Status);
        if (Desynchronised || result.Status == TransferStatus.ConnectionFailed)
        {
            await CloseAsync().ConfigureAwait(false);
        }
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TransferResult> ExchangeOrFailAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, Memory<byte> responsePdu, CancellationToken timeoutToken)
    {
        try
        {
            if (_channel is null)
            {
                _channel = await _connect(timeoutToken).ConfigureAwait(false);
                Counters.Connected();
                OnConnected();
            }
            return await ExchangeAsync(_channel, unitId, requestPdu, responsePdu, timeoutToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutToken.IsCancellationRequested)
        {
            if (_channel is not null)
            {
                return TransferResult.Of(TransferStatus.Timeout);
            }
            LastConnectionFault = "timeout while connecting";
            return TransferResult.Of(TransferStatus.ConnectionFailed);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // A failure costs a string; a dead device is probed with back-off, so this is rare.
            LastConnectionFault = DeviceFaultReason.Describe(ex);
            return TransferResult.Of(TransferStatus.ConnectionFailed);
        }
    }

    /// <summary>One exchange on an open channel. Throws <see cref="EndOfStreamException"/> when the peer closed it.</summary>
    protected abstract ValueTask<TransferResult> ExchangeAsync(IByteChannel channel, byte unitId, ReadOnlyMemory<byte> requestPdu, Memory<byte> responsePdu, CancellationToken cancellationToken);

    protected virtual void OnConnected()
    {
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected static async ValueTask<int> ReadSomeAsync(IByteChannel channel, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var n = await channel.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return n == 0 ? throw new EndOfStreamException("the peer closed the connection") : n;
    }

    public async ValueTask CloseAsync()
    {
        Desynchronised = false;
        if (_channel is { } channel)
        {
            _channel = null;
            await channel.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
