using System.Runtime.CompilerServices;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;

namespace Gateway.Drivers.Modbus.Client;

/// <summary>
/// The Modbus master of one link (a serial bus or a TCP endpoint): exactly one transaction in
/// flight (an async lock serialises pollers and writers), each bounded by its timeout, the
/// response checked against the request before anyone decodes it.
/// </summary>
public sealed class ModbusMaster : IAsyncDisposable
{
    private readonly ModbusTransport _transport;
    private readonly SemaphoreSlim _inFlight = new(1, 1);
    private readonly ReusableTimeout _timeout;
    private readonly byte[] _requestPdu = new byte[ModbusLimits.MaxPduLength];

    public ModbusMaster(ModbusTransport transport, TimeProvider time, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _timeout = new ReusableTimeout(time, stopping);
    }

    public ModbusLinkCounters Counters => _transport.Counters;

    /// <summary>The specific cause of the last failed connection (see <see cref="ModbusTransport.LastConnectionFault"/>).</summary>
    public string? LastConnectionFault => _transport.LastConnectionFault;

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="unitId"/>. Read data ends up in
    /// <paramref name="response"/> (at least 253 bytes, owned by the caller) at the outcome's
    /// offset. Never throws for device or wire faults, only for cancellation.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ModbusOutcome> ExecuteAsync(byte unitId, ModbusRequest request, Memory<byte> response, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (response.Length < ModbusLimits.MaxPduLength)
        {
            throw new ArgumentException("the response buffer must hold a whole PDU (253 bytes)", nameof(response));
        }
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var length = ModbusPdu.WriteRequest(request, _requestPdu);
            if (length == 0)
            {
                throw new ArgumentException($"invalid request {request.Function} at {request.Address} × {request.Count}", nameof(request));
            }
            var token = _timeout.Start(timeout);
            TransferResult result;
            try
            {
                result = await _transport.TransactAsync(unitId, _requestPdu.AsMemory(0, length), response, token).ConfigureAwait(false);
            }
            finally
            {
                _timeout.Stop();
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (result.Status != TransferStatus.Ok)
            {
                return new ModbusOutcome(result.Status, ModbusExceptionCode.None, 0, 0);
            }
            if (!ModbusPdu.TryParseResponse(response.Span[..result.PduLength], request, out var parsed))
            {
                Counters.Count(TransferStatus.Malformed);
                return new ModbusOutcome(TransferStatus.Malformed, ModbusExceptionCode.None, 0, 0);
            }
            if (parsed.IsException)
            {
                Counters.ExceptionResponse();
            }
            return new ModbusOutcome(TransferStatus.Ok, parsed.ExceptionCode, parsed.DataOffset, parsed.DataLength);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync().ConfigureAwait(false);
        _timeout.Dispose();
        _inFlight.Dispose();
    }
}
