using Gateway.Simulation.Modbus;
using Gateway.Drivers;

namespace Gateway.Bench.Modbus;

/// <summary>The simulated meter of the Modbus benches: 30 points in two reads (20 f32 CDAB in holding 0–39, 10 u16 scaled in input 0–9).</summary>
public static class BenchMeter
{
    /// <summary>
    /// The benches' simulated devices: one loopback port each, 1,024 registers of a fixed pattern,
    /// answered without allocating (the load run's CPU reference).
    /// </summary>
    public static SimulatedModbusServer Server(int devices) => new(new SimulatedModbusOptions
    {
        Devices = devices,
        Registers = ModbusRegisterArray.Pattern(1024, i => (ushort)((i * 31) + 7)),
    });

    /// <summary>The first point decoded from the first read of a poll (the planner reads input registers before holding ones).</summary>
    public const string FirstPointOfFirstRead = "u0";

    /// <summary>The first point decoded from the last read (holding registers) of a poll.</summary>
    public const string FirstPointOfLastRead = "f0";

    public static List<PointOptions> Points()
    {
        var points = new List<PointOptions>();
        for (var i = 0; i < 20; i++)
        {
            points.Add(new PointOptions { Name = $"f{i}", Table = "holding", Address = i * 2, Type = "f32", Order = "CDAB", Unit = "m3" });
        }
        for (var i = 0; i < 10; i++)
        {
            points.Add(new PointOptions { Name = $"u{i}", Table = "input", Address = i, Type = "u16", Scale = 0.1, Unit = "kPa" });
        }
        return points;
    }

    public static DeviceOptions Device(string id, int port, int pollMs = 1000) => new()
    {
        Id = id,
        Type = "modbus",
        Endpoint = $"tcp://127.0.0.1:{port}",
        PollMs = pollMs,
        TimeoutMs = 1000,
        Retries = 1,
        Points = Points(),
    };
}
