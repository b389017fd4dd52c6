using System.Buffers.Binary;

namespace Gateway.Drivers.I2c.Bme280;

/// <summary>
/// A BME280 on an I2C target, used in forced mode with ×1 oversampling and the IIR filter off
/// (datasheet section 3.5.1 "weather monitoring"): one measurement per request, sleeping between.
/// </summary>
internal sealed class Bme280Sensor(II2cDevice device, TimeProvider time)
{
    public const byte ChipIdValue = 0x60;
    private const byte SoftResetCommand = 0xB6;
    private const byte OversamplingX1 = 0b001;
    private const byte ForcedMode = 0b01;
    private const byte StatusMeasuring = 0b1000;

    // Datasheet section 9.1: t_measure,max = 1.25 + 2.3·1 + (2.3·1 + 0.575) + (2.3·1 + 0.575) ms ≈ 9.3 ms.
    private static readonly TimeSpan MeasurementTime = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan StartupTime = TimeSpan.FromMilliseconds(2);
    private Bme280Calibration? _calibration;

    /// <summary>Checks the chip id, resets the chip and reads its calibration.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        _calibration = null;
        Span<byte> id = stackalloc byte[1];
        device.WriteRead([(byte)Bme280Register.ChipId], id);
        if (id[0] != ChipIdValue)
        {
            throw new IOException($"I2C {device.Bus}/0x{device.Address:x2}: chip id 0x{id[0]:x2} is not a BME280 (0x{ChipIdValue:x2})");
        }
        device.Write([(byte)Bme280Register.Reset, SoftResetCommand]);
        await Task.Delay(StartupTime, time, cancellationToken).ConfigureAwait(false);
        var blockTp = new byte[Bme280Calibration.BlockTpLength];
        var blockH = new byte[Bme280Calibration.BlockHLength];
        device.WriteRead([(byte)Bme280Register.CalibrationT1], blockTp);
        device.WriteRead([(byte)Bme280Register.CalibrationH2], blockH);
        if (!Bme280Calibration.TryParse(blockTp, blockH, out var calibration))
        {
            throw new IOException($"I2C {device.Bus}/0x{device.Address:x2}: BME280 calibration is blank");
        }
        // ctrl_hum takes effect only after a write to ctrl_meas (datasheet 5.4.3), done per measurement.
        device.Write([(byte)Bme280Register.ControlHumidity, OversamplingX1]);
        device.Write([(byte)Bme280Register.Config, 0]);
        _calibration = calibration;
    }

    public bool IsInitialized => _calibration is not null;

    /// <summary>Forgets the calibration so the next measurement starts with a fresh initialisation.</summary>
    public void Forget() => _calibration = null;

    /// <summary>Triggers one forced measurement and reads it; null when the chip skipped a channel.</summary>
    public async Task<Bme280Measurement?> MeasureAsync(CancellationToken cancellationToken)
    {
        var calibration = _calibration ?? throw new InvalidOperationException("BME280 not initialized");
        device.Write([(byte)Bme280Register.ControlMeasurement, (OversamplingX1 << 5) | (OversamplingX1 << 2) | ForcedMode]);
        await Task.Delay(MeasurementTime, time, cancellationToken).ConfigureAwait(false);
        Span<byte> status = stackalloc byte[1];
        device.WriteRead([(byte)Bme280Register.Status], status);
        if ((status[0] & StatusMeasuring) != 0)
        {
            await Task.Delay(MeasurementTime, time, cancellationToken).ConfigureAwait(false);
        }
        Span<byte> data = stackalloc byte[8];
        device.WriteRead([(byte)Bme280Register.PressureMsb], data);
        return Compensate(calibration, data);
    }

    /// <summary>Decodes the burst read of 0xF7…0xFE (section 4: 20-bit big-endian P and T, 16-bit H) and compensates it.</summary>
    internal static Bme280Measurement? Compensate(in Bme280Calibration calibration, ReadOnlySpan<byte> data)
    {
        var adcP = (data[0] << 12) | (data[1] << 4) | (data[2] >> 4);
        var adcT = (data[3] << 12) | (data[4] << 4) | (data[5] >> 4);
        int adcH = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        if (adcT == Bme280Compensation.Skipped20Bit || adcP == Bme280Compensation.Skipped20Bit || adcH == Bme280Compensation.Skipped16Bit)
        {
            return null;
        }
        var centi = Bme280Compensation.TemperatureCentiCelsius(calibration, adcT, out var tFine);
        var pressure = Bme280Compensation.PressureQ24_8(calibration, adcP, tFine);
        var humidity = Bme280Compensation.HumidityQ22_10(calibration, adcH, tFine);
        // Rounded to what the formats resolve without binary noise in the JSON: 0.01 °C, and
        // 0.001 hPa / 0.001 %RH (the chip's own resolution is 0.0018 hPa and 0.008 %RH).
        return new Bme280Measurement(centi / 100.0, Math.Round(pressure / 25600.0, 3), Math.Round(humidity / 1024.0, 3));
    }
}
