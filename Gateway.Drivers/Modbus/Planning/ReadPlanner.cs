using Gateway.Drivers.Modbus.Points;
using Gateway.Drivers.Modbus.Protocol;

namespace Gateway.Drivers.Modbus.Planning;

/// <summary>
/// Merges a device's points into the fewest read requests (SPEC section 2): per table, points
/// sorted by address are joined while the hole between them is at most <c>maxGap</c> registers
/// (or bits) and the request stays within the protocol's limit (125 registers, 2000 bits). Greedy
/// over sorted intervals is optimal here: a block is only closed when the next point cannot join it.
/// </summary>
public static class ReadPlanner
{
    public static IReadOnlyList<ReadBlock> Plan(IReadOnlyList<ModbusPoint> points, int maxGap, int maxRegisters = ModbusLimits.MaxReadRegisters, int maxBits = ModbusLimits.MaxReadBits)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfNegative(maxGap);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRegisters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBits);
        var blocks = new List<ReadBlock>();
        foreach (var table in (ReadOnlySpan<ModbusTable>)[ModbusTable.Coil, ModbusTable.Discrete, ModbusTable.Input, ModbusTable.Holding])
        {
            var limit = table is ModbusTable.Coil or ModbusTable.Discrete ? maxBits : maxRegisters;
            var indexes = Enumerable.Range(0, points.Count)
                .Where(i => points[i].Table == table)
                .OrderBy(i => points[i].Address)
                .ThenBy(i => i)
                .ToList();
            var start = -1;
            var end = -1; // exclusive
            var members = new List<int>();
            foreach (var i in indexes)
            {
                var p = points[i];
                if (p.Width > limit)
                {
                    throw new ArgumentException($"point '{p.Name}' is wider than one request", nameof(points));
                }
                var pEnd = p.Address + p.Width;
                if (start >= 0 && p.Address - end <= maxGap && Math.Max(end, pEnd) - start <= limit)
                {
                    end = Math.Max(end, pEnd);
                    members.Add(i);
                    continue;
                }
                if (start >= 0)
                {
                    blocks.Add(new ReadBlock(table, (ushort)start, (ushort)(end - start), [.. members]));
                }
                start = p.Address;
                end = pEnd;
                members.Clear();
                members.Add(i);
            }
            if (start >= 0)
            {
                blocks.Add(new ReadBlock(table, (ushort)start, (ushort)(end - start), [.. members]));
            }
        }
        return blocks;
    }

    public static ModbusFunction ReadFunctionOf(ModbusTable table) => table switch
    {
        ModbusTable.Coil => ModbusFunction.ReadCoils,
        ModbusTable.Discrete => ModbusFunction.ReadDiscreteInputs,
        ModbusTable.Input => ModbusFunction.ReadInputRegisters,
        _ => ModbusFunction.ReadHoldingRegisters,
    };
}
