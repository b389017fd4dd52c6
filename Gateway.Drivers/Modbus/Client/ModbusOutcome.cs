using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;

namespace Gateway.Drivers.Modbus.Client;

/// <summary>
/// Result of one request: the wire status, a Modbus exception if the device sent one, and where
/// the read data lies in the caller's response buffer.
/// </summary>
public readonly record struct ModbusOutcome(TransferStatus Transfer, ModbusExceptionCode Exception, int DataOffset, int DataLength)
{
    /// <summary>The device answered (normally or with an exception): it is alive.</summary>
    public bool Answered => Transfer == TransferStatus.Ok;

    public bool IsSuccess => Transfer == TransferStatus.Ok && Exception == ModbusExceptionCode.None;

    /// <summary>Nothing usable came back at all (timeout, connection down): the device may be gone.</summary>
    public bool IsSilence => Transfer is TransferStatus.Timeout or TransferStatus.ConnectionFailed;

    /// <summary>Text for a bad reading's reason (constant strings, no allocation for known codes).</summary>
    public string Reason => Transfer switch
    {
        TransferStatus.Ok => Exception == ModbusExceptionCode.None ? "" : ModbusPdu.Describe(Exception),
        TransferStatus.Timeout => "timeout",
        TransferStatus.CrcError => "crc error",
        TransferStatus.Garbled => "garbled or truncated response",
        TransferStatus.Malformed => "response does not match the request",
        _ => "connection failed",
    };
}
