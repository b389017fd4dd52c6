namespace Gateway.Simulation.Modbus;

/// <summary>How a <see cref="SimulatedModbusServer"/> listens and answers.</summary>
public sealed class SimulatedModbusOptions
{
    /// <summary>Listening loopback ports, one simulated device each (the load bench uses hundreds).</summary>
    public int Devices { get; init; } = 1;

    /// <summary>RTU frames (unit, PDU, CRC) over TCP instead of MBAP.</summary>
    public bool Rtu { get; init; }

    /// <summary>The only unit that answers; requests to others get silence, like a dead drop on a bus. Null: every unit answers.</summary>
    public byte? UnitId { get; init; }

    /// <summary>What reads return and writes change; a 256-register array of zeros by default.</summary>
    public ModbusRegisterMap Registers { get; init; } = new ModbusRegisterArray(256);

    /// <summary>
    /// Serve each port on a thread of its own with blocking socket calls (MBAP only, no fault
    /// injection): in steady state the server then allocates nothing and puts no work on the thread
    /// pool, so a test can count the allocations of the driver alone.
    /// </summary>
    public bool DedicatedThreads { get; init; }
}
