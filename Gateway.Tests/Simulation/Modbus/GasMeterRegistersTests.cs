using Gateway.Simulation.Modbus;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Simulation.Modbus;

/// <summary>The demo's gas meter, read as profiles/gas-meter-generic.json decodes it.</summary>
public class GasMeterRegistersTests
{
    [Fact]
    public void The_total_integrates_the_flow_and_never_runs_backwards()
    {
        var time = new FakeTimeProvider();
        var meter = new GasMeterRegisters(time);
        var registers = new ushort[7];
        var previous = 0.0;
        var integrated = 0.0;
        for (var second = 0; second <= 3600; second++)
        {
            meter.Read(0, registers);
            var total = (registers[0] | ((uint)registers[1] << 16)) * 0.01; // u32 CDAB, scale 0.01 m3
            var flow = BitConverter.UInt32BitsToSingle(registers[2] | ((uint)registers[3] << 16)); // f32 CDAB, m3/h
            Assert.InRange(flow, 0.5f, 2.5f);
            Assert.True(total >= previous, $"total fell from {previous} to {total} at {second} s");
            previous = total;
            integrated += flow / 3600.0;
            time.Advance(TimeSpan.FromSeconds(1));
        }
        // One hour at 1.5 m3/h on average: the counter moved by what its flow says, to the register's 0.01 m3.
        Assert.Equal(GasMeterRegisters.StartHundredths / 100.0 + 1.5, previous, 2);
        Assert.Equal(1.5, integrated, 2);
        Assert.InRange((short)registers[4] * 0.1, 6.0, 11.0); // °C
        Assert.InRange(registers[5] * 0.01, 2.0, 2.2); // kPa
        Assert.Equal(0, registers[6]); // battery fine, valve open
    }
}
