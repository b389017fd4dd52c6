namespace Gateway.Drivers.Serial;

public enum SerialParity : byte
{
    None,
    Even,
    Odd,
}
