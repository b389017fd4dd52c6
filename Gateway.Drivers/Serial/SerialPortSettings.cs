namespace Gateway.Drivers.Serial;

/// <summary>How to open a serial port: 8N1 at 9600 baud unless told otherwise; RS-485 direction control by the driver when <see cref="Rs485"/>.</summary>
public sealed record SerialPortSettings(string Port, int Baud = 9600, SerialParity Parity = SerialParity.None, int DataBits = 8, int StopBits = 1, bool Rs485 = false)
{
    /// <summary>Bits on the wire per character (start + data + parity + stop), for timing.</summary>
    public int BitsPerCharacter => 1 + DataBits + (Parity == SerialParity.None ? 0 : 1) + StopBits;

    public static SerialPortSettings FromBus(BusOptions bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var parity = bus.Parity switch
        {
            "none" => SerialParity.None,
            "even" => SerialParity.Even,
            "odd" => SerialParity.Odd,
            _ => throw new ArgumentException($"bus '{bus.Id}': unknown parity '{bus.Parity}'", nameof(bus)),
        };
        return new SerialPortSettings(bus.Port, bus.Baud, parity, bus.DataBits, bus.StopBits, bus.Rs485);
    }
}
