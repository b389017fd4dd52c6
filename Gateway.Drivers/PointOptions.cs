namespace Gateway.Drivers;

/// <summary>One Modbus point of a device or profile (SPEC section 2).</summary>
public sealed class PointOptions
{
    public string Name { get; set; } = "";

    /// <summary><c>coil</c>, <c>discrete</c>, <c>input</c> or <c>holding</c>.</summary>
    public string Table { get; set; } = "holding";

    public int Address { get; set; }

    /// <summary>Value type; <c>bool</c> for coil and discrete tables, <c>u16</c> for registers when not given.</summary>
    public string? Type { get; set; }

    /// <summary>Byte/word order of multi-register values: ABCD, CDAB, BADC or DCBA.</summary>
    public string Order { get; set; } = "ABCD";

    public double Scale { get; set; } = 1.0;

    public double Offset { get; set; }

    /// <summary>Bit index within the register value, for bit fields.</summary>
    public int? Bit { get; set; }

    public string? Unit { get; set; }

    public bool Writable { get; set; }

    public string? Description { get; set; }
}
