namespace Gateway.Drivers.Modbus.Points;

/// <summary>The four Modbus data tables (config <c>table</c>: coil, discrete, input, holding).</summary>
public enum ModbusTable : byte
{
    Coil,
    Discrete,
    Input,
    Holding,
}
