namespace Gateway.Simulation.Modbus;

/// <summary>A fixed register image that tests set and read directly (<see cref="Registers"/>); writes land in it.</summary>
public sealed class ModbusRegisterArray(int count) : ModbusRegisterMap
{
    public ushort[] Registers { get; } = new ushort[count];

    public override int Count => Registers.Length;

    /// <summary>An image whose register <c>i</c> holds <paramref name="value"/>(i): data that a decoding mix-up cannot pass unnoticed.</summary>
    public static ModbusRegisterArray Pattern(int count, Func<int, ushort> value)
    {
        var map = new ModbusRegisterArray(count);
        for (var i = 0; i < count; i++)
        {
            map.Registers[i] = value(i);
        }
        return map;
    }

    public override void Read(int address, Span<ushort> destination) => Registers.AsSpan(address, destination.Length).CopyTo(destination);

    public override bool IsWritable => true;

    public override void Write(int address, ushort value) => Registers[address] = value;
}
