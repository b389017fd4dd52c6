namespace Gateway.Simulation.Modbus;

/// <summary>
/// What a <see cref="SimulatedModbusServer"/> answers from: one register space serving holding and
/// input reads alike (the simulated devices do not need two), with coils and discrete inputs read as
/// the bits of those registers, least significant first.
/// </summary>
public abstract class ModbusRegisterMap
{
    /// <summary>Registers 0 to Count − 1 exist; a read past them is answered with exception 2.</summary>
    public abstract int Count { get; }

    /// <summary>Fills <paramref name="destination"/> with the registers from <paramref name="address"/> on, as they are at this moment.</summary>
    public abstract void Read(int address, Span<ushort> destination);

    /// <summary>False for a read-only device: write requests are refused with exception 1.</summary>
    public virtual bool IsWritable => false;

    /// <summary>Stores a written register (FC 6 and 16); called only when <see cref="IsWritable"/>.</summary>
    public virtual void Write(int address, ushort value) => throw new NotSupportedException("read-only register map");
}
