using Gateway.Drivers.Modbus.Points;

namespace Gateway.Drivers.Modbus.Planning;

/// <summary>One read request of a plan: <see cref="Count"/> registers or bits from <see cref="Start"/>, serving the points at <see cref="PointIndexes"/>.</summary>
public sealed record ReadBlock(ModbusTable Table, ushort Start, ushort Count, int[] PointIndexes);
