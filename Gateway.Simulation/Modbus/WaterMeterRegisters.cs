namespace Gateway.Simulation.Modbus;

/// <summary>
/// The demo pole's water meter, following profiles/water-meter-generic.json: a flow rate that swings
/// through the day and a total that integrates it. Read-only, like the meter.
/// </summary>
public sealed class WaterMeterRegisters(TimeProvider time) : ModbusRegisterMap
{
    private readonly long _started = time.GetTimestamp();

    public override int Count => 16;

    /// <summary>Litres in 0-1 (CDAB), m3/h as f32 in 2-3 (CDAB), temperature in 6, status bits in 7, battery in 8.</summary>
    public override void Read(int address, Span<ushort> destination)
    {
        Span<ushort> image = stackalloc ushort[Count];
        var seconds = time.GetElapsedTime(_started).TotalSeconds;
        var flow = 12.0 + (6.0 * Math.Sin(seconds / 30.0)); // m3/h
        var litres = (uint)(1_234_567 + (seconds * (12.0 / 3.6))); // ~12 m3/h on average, in litres
        image[0] = (ushort)(litres & 0xFFFF); // CDAB: low word first
        image[1] = (ushort)(litres >> 16);
        var flowBits = BitConverter.SingleToUInt32Bits((float)flow);
        image[2] = (ushort)(flowBits & 0xFFFF);
        image[3] = (ushort)(flowBits >> 16);
        image[6] = unchecked((ushort)(short)Math.Round(1450 + (50 * Math.Sin(seconds / 300.0)))); // 14.5 °C
        image[7] = 0; // no alarms
        image[8] = 361; // 3.61 V
        image.Slice(address, destination.Length).CopyTo(destination);
    }
}
