namespace Gateway.Drivers.I2c.Bme280;

/// <summary>One compensated BME280 measurement in the units SPEC section 4 reports.</summary>
internal readonly record struct Bme280Measurement(double TemperatureCelsius, double PressureHectopascal, double HumidityPercent);
