namespace Gateway.Drivers.I2c.Bme280;

/// <summary>
/// Bosch's fixed-point compensation formulas, BST-BME280-DS002 section 4.2.3 (the ones the
/// datasheet recommends): temperature in 0.01 °C (int32), pressure in Pa as Q24.8 (int64),
/// humidity in %RH as Q22.10 (int32). <c>t_fine</c> carries temperature into the other two.
/// </summary>
internal static class Bme280Compensation
{
    /// <summary>The value the chip reports for a measurement that was skipped (oversampling off).</summary>
    public const int Skipped20Bit = 0x80000;
    public const int Skipped16Bit = 0x8000;

    public static int TemperatureCentiCelsius(in Bme280Calibration c, int adcT, out int tFine)
    {
        var var1 = (((adcT >> 3) - (c.T1 << 1)) * c.T2) >> 11;
        var var2 = (((((adcT >> 4) - c.T1) * ((adcT >> 4) - c.T1)) >> 12) * c.T3) >> 14;
        tFine = var1 + var2;
        return ((tFine * 5) + 128) >> 8;
    }

    /// <summary>Pressure in Pa × 256 (Q24.8); 0 when the calibration would divide by zero.</summary>
    public static uint PressureQ24_8(in Bme280Calibration c, int adcP, int tFine)
    {
        long var1 = (long)tFine - 128000;
        var var2 = var1 * var1 * c.P6;
        var2 += (var1 * c.P5) << 17;
        var2 += (long)c.P4 << 35;
        var1 = ((var1 * var1 * c.P3) >> 8) + ((var1 * c.P2) << 12);
        var1 = (((1L << 47) + var1) * c.P1) >> 33;
        if (var1 == 0)
        {
            return 0;
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (c.P9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = (c.P8 * p) >> 19;
        p = ((p + var1 + var2) >> 8) + ((long)c.P7 << 4);
        return (uint)p;
    }

    /// <summary>Relative humidity in % × 1024 (Q22.10), clamped to 0…100 %.</summary>
    public static uint HumidityQ22_10(in Bme280Calibration c, int adcH, int tFine)
    {
        var x = tFine - 76800;
        x = ((((adcH << 14) - (c.H4 << 20) - (c.H5 * x)) + 16384) >> 15)
            * ((((((((x * c.H6) >> 10) * (((x * c.H3) >> 11) + 32768)) >> 10) + 2097152) * c.H2) + 8192) >> 14);
        x -= ((((x >> 15) * (x >> 15)) >> 7) * c.H1) >> 4;
        x = Math.Clamp(x, 0, 419430400);
        return (uint)(x >> 12);
    }
}
