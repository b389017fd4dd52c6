namespace Gateway.Drivers;

/// <summary>One serial (RS-485) bus of the <c>buses</c> section.</summary>
public sealed class BusOptions
{
    public string Id { get; set; } = "";

    public string Port { get; set; } = "";

    public int Baud { get; set; } = 9600;

    public string Parity { get; set; } = "none";

    public int DataBits { get; set; } = 8;

    public int StopBits { get; set; } = 1;

    public bool Rs485 { get; set; } = true;
}
