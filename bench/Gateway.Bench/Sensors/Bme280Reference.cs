namespace Gateway.Bench.Sensors;

/// <summary>
/// The datasheet's floating-point compensation (BST-BME280-DS002 section 8.1), written out here
/// independently of both drivers: what a reading should be for given trimming and raw ADC values.
/// </summary>
internal static class Bme280Reference
{
    public static (double Celsius, double Hectopascal, double Percent) Compensate(Bme280Trimming c, int adcT, int adcP, int adcH)
    {
        var v1 = ((adcT / 16384.0) - (c.T1 / 1024.0)) * c.T2;
        var v2 = ((adcT / 131072.0) - (c.T1 / 8192.0)) * ((adcT / 131072.0) - (c.T1 / 8192.0)) * c.T3;
        var tFine = (int)(v1 + v2);
        var celsius = (v1 + v2) / 5120.0;

        var p1 = (tFine / 2.0) - 64000.0;
        var p2 = p1 * p1 * c.P6 / 32768.0;
        p2 += p1 * c.P5 * 2.0;
        p2 = (p2 / 4.0) + (c.P4 * 65536.0);
        p1 = ((c.P3 * p1 * p1 / 524288.0) + (c.P2 * p1)) / 524288.0;
        p1 = (1.0 + (p1 / 32768.0)) * c.P1;
        double pascal = 0;
        if (p1 != 0)
        {
            pascal = 1048576.0 - adcP;
            pascal = (pascal - (p2 / 4096.0)) * 6250.0 / p1;
            var p9 = c.P9 * pascal * pascal / 2147483648.0;
            var p8 = pascal * c.P8 / 32768.0;
            pascal += (p9 + p8 + c.P7) / 16.0;
        }

        var h = tFine - 76800.0;
        h = (adcH - ((c.H4 * 64.0) + (c.H5 / 16384.0 * h))) * (c.H2 / 65536.0 * (1.0 + (c.H6 / 67108864.0 * h * (1.0 + (c.H3 / 67108864.0 * h)))));
        h *= 1.0 - (c.H1 * h / 524288.0);
        return (celsius, pascal / 100.0, Math.Clamp(h, 0.0, 100.0));
    }
}
