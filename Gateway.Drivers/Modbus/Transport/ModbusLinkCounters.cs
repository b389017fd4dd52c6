namespace Gateway.Drivers.Modbus.Transport;

/// <summary>
/// What went wrong (and right) on one link (a serial bus or a TCP endpoint). Every fault the
/// master survives is counted here; tests assert on these counters.
/// </summary>
public sealed class ModbusLinkCounters
{
    private long _transactions;
    private long _timeouts;
    private long _crcErrors;
    private long _garbled;
    private long _malformed;
    private long _staleResponses;
    private long _wrongUnit;
    private long _noiseBytes;
    private long _connects;
    private long _connectionFailures;
    private long _exceptions;

    public long Transactions => Interlocked.Read(ref _transactions);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long CrcErrors => Interlocked.Read(ref _crcErrors);

    public long Garbled => Interlocked.Read(ref _garbled);

    /// <summary>Frames that parsed but did not answer the request (never decoded).</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Modbus TCP responses with an old transaction id, discarded.</summary>
    public long StaleResponses => Interlocked.Read(ref _staleResponses);

    /// <summary>Well-formed responses from another unit id, discarded.</summary>
    public long WrongUnit => Interlocked.Read(ref _wrongUnit);

    /// <summary>Bytes thrown away outside any frame (line noise, late answers).</summary>
    public long NoiseBytes => Interlocked.Read(ref _noiseBytes);

    public long Connects => Interlocked.Read(ref _connects);

    public long ConnectionFailures => Interlocked.Read(ref _connectionFailures);

    /// <summary>Modbus exception responses received.</summary>
    public long Exceptions => Interlocked.Read(ref _exceptions);

    internal void Transaction() => Interlocked.Increment(ref _transactions);

    internal void Count(TransferStatus status)
    {
        switch (status)
        {
            case TransferStatus.Timeout: Interlocked.Increment(ref _timeouts); break;
            case TransferStatus.CrcError: Interlocked.Increment(ref _crcErrors); break;
            case TransferStatus.Garbled: Interlocked.Increment(ref _garbled); break;
            case TransferStatus.Malformed: Interlocked.Increment(ref _malformed); break;
            case TransferStatus.ConnectionFailed: Interlocked.Increment(ref _connectionFailures); break;
            default: break;
        }
    }

    internal void StaleResponse() => Interlocked.Increment(ref _staleResponses);

    internal void WrongUnitResponse() => Interlocked.Increment(ref _wrongUnit);

    internal void Noise(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _noiseBytes, bytes);
        }
    }

    internal void Connected() => Interlocked.Increment(ref _connects);

    internal void ExceptionResponse() => Interlocked.Increment(ref _exceptions);
}
