using Gateway.Drivers.Modbus.Planning;
using Gateway.Drivers.Modbus.Points;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Drivers.Modbus.Polling;

/// <summary>One polled device: its compiled points, read plan, buffers and schedule/health state (touched only by its link's loop).</summary>
internal sealed class ModbusDevice
{
    public ModbusDevice(DeviceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Id = options.Id;
        UnitId = checked((byte)options.UnitId);
        Interval = TimeSpan.FromMilliseconds(options.PollMs ?? 1000);
        Timeout = TimeSpan.FromMilliseconds(options.TimeoutMs);
        Retries = options.Retries;
        Points = [.. options.Points.Select(ModbusPoint.FromOptions)];
        Blocks = [.. ReadPlanner.Plan(Points, options.MaxGap)];
        Requests = [.. Blocks.Select(b => ModbusRequest.Read(ReadPlanner.ReadFunctionOf(b.Table), b.Start, b.Count))];
    }

    public string Id { get; }

    public byte UnitId { get; }

    public TimeSpan Interval { get; }

    public TimeSpan Timeout { get; }

    public int Retries { get; }

    public ModbusPoint[] Points { get; }

    public ReadBlock[] Blocks { get; }

    public ModbusRequest[] Requests { get; }

    /// <summary>Response buffer of this device's polls (each device has its own, so writers never clobber it).</summary>
    public byte[] Response { get; } = new byte[ModbusLimits.MaxPduLength];

    public DeviceHealth Health { get; set; }

    public int BackoffLevel { get; set; }

    /// <summary>Monotonic time (TimeProvider ticks) when the next poll is due.</summary>
    public long NextDue { get; set; }

    /// <summary>Order of last service, for fairness between devices due at the same moment.</summary>
    public long LastServed { get; set; }

    public long Polls { get; set; }

    public long MissedPolls { get; set; }

    public long MaxLatenessTicks { get; set; }

    public ModbusPoint? FindPoint(string name) => Array.Find(Points, p => p.Name == name);
}
