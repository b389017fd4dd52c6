namespace Gateway.Drivers.Modbus.Transport;

/// <summary>A wire exchange's status and, when <see cref="TransferStatus.Ok"/>, the response PDU length.</summary>
public readonly record struct TransferResult(TransferStatus Status, int PduLength)
{
    public static TransferResult Of(TransferStatus status) => new(status, 0);
}
