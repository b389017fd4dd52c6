using Gateway.Drivers.I2c;
using Gateway.Simulation.I2c;

namespace Gateway.Bench.Sensors;

/// <summary>
/// A BME280 register map that behaves like the chip where a driver can tell: a forced measurement
/// (mode 01 or 10 written to ctrl_meas, 0xF4) completes at once and the chip falls back to sleep
/// mode 00 (datasheet section 3.3.3), so the data registers hold the result and status shows idle.
/// </summary>
internal sealed class Bme280Chip : SimulatedRegisterTarget
{
    private const byte ControlMeasurement = 0xF4;

    public int ForcedMeasurements { get; private set; }

    protected override void RegisterWritten(byte register, byte value)
    {
        if (register == ControlMeasurement && (value & 0b11) is 0b01 or 0b10)
        {
            ForcedMeasurements++;
            Load(ControlMeasurement, [(byte)(value & ~0b11)]);
        }
    }
}
