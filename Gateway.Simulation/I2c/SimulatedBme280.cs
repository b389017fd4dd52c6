using Gateway.Drivers.I2c.Bme280;
namespace Gateway.Simulation.I2c;

/// <summary>
/// A BME280 register map for the simulated I2C bus: chip id, calibration and raw ADC values, and
/// the one chip behaviour drivers see: a forced measurement (mode 01 or 10 written to ctrl_meas)
/// completes at once and the chip falls back to sleep mode 00 (datasheet section 3.3.3). Defaults
/// are the datasheet worked example's trimming and raw T/P values (25.08 °C, 1006.53 hPa) with a
/// typical humidity trimming; <see cref="SimulatedRegisterTarget.Load"/> can replace any of it.
/// </summary>
public sealed class SimulatedBme280 : SimulatedRegisterTarget
{
    internal static readonly Bme280Calibration ExampleCalibration = new(
        T1: 27504, T2: 26435, T3: -1000,
        P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
        H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30);

    public SimulatedBme280()
        : this(ExampleCalibration)
    {
    }

    internal SimulatedBme280(Bme280Calibration calibration)
    {
        Load((byte)Bme280Register.ChipId, [Bme280Sensor.ChipIdValue]);
        var blockTp = new byte[Bme280Calibration.BlockTpLength];
        var blockH = new byte[Bme280Calibration.BlockHLength];
        calibration.Write(blockTp, blockH);
        Load((byte)Bme280Register.CalibrationT1, blockTp);
        Load((byte)Bme280Register.CalibrationH2, blockH);
        SetRaw(adcT: 519888, adcP: 415148, adcH: 30000);
    }

    /// <summary>Number of forced measurements requested over the bus.</summary>
    public int ForcedMeasurements { get; private set; }

    /// <summary>Sets the raw ADC outputs the next burst read returns (20-bit T and P, 16-bit H).</summary>
    public void SetRaw(int adcT, int adcP, int adcH) =>
        Load((byte)Bme280Register.PressureMsb,
        [
            (byte)(adcP >> 12), (byte)(adcP >> 4), (byte)((adcP & 0xF) << 4),
            (byte)(adcT >> 12), (byte)(adcT >> 4), (byte)((adcT & 0xF) << 4),
            (byte)(adcH >> 8), (byte)adcH,
        ]);

    protected override void RegisterWritten(byte register, byte value)
    {
        if (register == (byte)Bme280Register.ControlMeasurement && (value & 0b11) is 0b01 or 0b10)
        {
            ForcedMeasurements++;
            Load(register, [(byte)(value & ~0b11)]);
        }
    }
}
