namespace Gateway.Simulation.Modbus;

/// <summary>
/// The demo pole's gas meter, following profiles/gas-meter-generic.json: a flow that peaks twice a
/// day-cycle (compressed to minutes, so the demo shows it move), a total that integrates it, line
/// pressure and temperature. Read-only, like the meter.
/// </summary>
public sealed class GasMeterRegisters(TimeProvider time) : ModbusRegisterMap
{
    /// <summary>Standard m³ on the counter when the simulation starts, in the register's 0.01 m³.</summary>
    public const uint StartHundredths = 4_321_000;

    private const double Period = 300.0; // seconds

    private readonly long _started = time.GetTimestamp();

    public override int Count => 8;

    /// <summary>Total (0.01 m³, u32 CDAB) in 0-1, m³/h as f32 CDAB in 2-3, 0.1 °C in 4, 0.01 kPa in 5, flags in 6.</summary>
    public override void Read(int address, Span<ushort> destination)
    {
        Span<ushort> image = stackalloc ushort[Count];
        var seconds = time.GetElapsedTime(_started).TotalSeconds;
        // 1.5 m³/h on average, ±1 with two peaks per 10-minute "day"; the total is its exact integral, so it never runs backwards.
        var phase = seconds * 2 * Math.PI / Period;
        var flow = 1.5 + Math.Sin(phase);
        var m3 = (1.5 * seconds / 3600.0) + (Period / (2 * Math.PI) / 3600.0 * (1 - Math.Cos(phase)));
        var hundredths = (uint)(StartHundredths + (m3 * 100.0));
        image[0] = (ushort)(hundredths & 0xFFFF); // CDAB: low word first
        image[1] = (ushort)(hundredths >> 16);
        var flowBits = BitConverter.SingleToUInt32Bits((float)flow);
        image[2] = (ushort)(flowBits & 0xFFFF);
        image[3] = (ushort)(flowBits >> 16);
        image[4] = unchecked((ushort)(short)Math.Round(85 + (20 * Math.Sin(seconds / 600.0)))); // 8.5 °C
        image[5] = (ushort)Math.Round(210 + (5 * Math.Sin(seconds / 45.0))); // 2.10 kPa, low-pressure supply
        image[6] = 0; // battery fine, valve open
        image.Slice(address, destination.Length).CopyTo(destination);
    }
}
