namespace Gateway.Drivers.I2c.Bme280;

/// <summary>BME280 registers (Bosch BST-BME280-DS002, section 5.3 memory map).</summary>
internal enum Bme280Register : byte
{
    CalibrationT1 = 0x88,
    ChipId = 0xD0,
    Reset = 0xE0,
    CalibrationH2 = 0xE1,
    ControlHumidity = 0xF2,
    Status = 0xF3,
    ControlMeasurement = 0xF4,
    Config = 0xF5,
    PressureMsb = 0xF7,
}
