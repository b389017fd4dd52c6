namespace Gateway.Drivers.Modbus.Transport;

/// <summary>Outcome of one request/response exchange on the wire.</summary>
public enum TransferStatus : byte
{
    Ok,
    /// <summary>Nothing arrived before the timeout.</summary>
    Timeout,
    /// <summary>A frame for this request arrived with a bad CRC (RTU), and no good one before the timeout.</summary>
    CrcError,
    /// <summary>Bytes arrived but never a whole frame for this request (truncated frame, garbage).</summary>
    Garbled,
    /// <summary>A frame arrived that does not answer the request (wrong function, length or echo; bad MBAP header).</summary>
    Malformed,
    /// <summary>The connection could not be opened, was refused or closed.</summary>
    ConnectionFailed,
}
