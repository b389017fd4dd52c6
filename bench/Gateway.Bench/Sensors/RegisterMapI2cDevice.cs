using System.Device.I2c;
using Gateway.Drivers.I2c;
using Gateway.Simulation.I2c;

namespace Gateway.Bench.Sensors;

/// <summary>
/// System.Device.I2c's <see cref="I2cDevice"/> over our simulated register target, so that
/// Iot.Device.Bindings' drivers read the very register map our own driver reads.
/// </summary>
internal sealed class RegisterMapI2cDevice(SimulatedRegisterTarget target, int bus, int address) : I2cDevice
{
    public override I2cConnectionSettings ConnectionSettings { get; } = new(bus, address);

    public override byte ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        target.Read(one);
        return one[0];
    }

    public override void Read(Span<byte> buffer) => target.Read(buffer);

    public override void WriteByte(byte value) => target.Write([value]);

    public override void Write(ReadOnlySpan<byte> buffer) => target.Write(buffer);

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        target.Write(writeBuffer);
        target.Read(readBuffer);
    }
}
