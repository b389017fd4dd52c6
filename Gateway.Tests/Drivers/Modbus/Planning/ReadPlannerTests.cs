using Gateway.Drivers;
using Gateway.Drivers.Modbus.Planning;
using Gateway.Drivers.Modbus.Points;

namespace Gateway.Tests.Drivers.Modbus.Planning;

public class ReadPlannerTests
{
    [Fact]
    public void Adjacent_points_merge_and_a_wide_gap_splits()
    {
        ModbusPoint[] points =
        [
            P("a", "holding", 0, "f32"), P("b", "holding", 2, "u16"), P("c", "holding", 6, "u32"),
            P("d", "holding", 40, "u16"), P("e", "input", 0, "u16"), P("f", "coil", 3, null), P("g", "coil", 0, null),
        ];
        var plan = ReadPlanner.Plan(points, maxGap: 8);
        Assert.Collection(plan,
            b => Assert.Equal((ModbusTable.Coil, 0, 4), (b.Table, (int)b.Start, (int)b.Count)),
            b => Assert.Equal((ModbusTable.Input, 0, 1), (b.Table, (int)b.Start, (int)b.Count)),
            b => Assert.Equal((ModbusTable.Holding, 0, 8), (b.Table, (int)b.Start, (int)b.Count)),
            b => Assert.Equal((ModbusTable.Holding, 40, 1), (b.Table, (int)b.Start, (int)b.Count)));
        Assert.Equal(2, ReadPlanner.Plan(points, maxGap: 0).Count(b => b.Table == ModbusTable.Holding && b.Start < 40));
    }

    [Fact]
    public void A_block_never_exceeds_125_registers()
    {
        var points = Enumerable.Range(0, 200).Select(i => P($"p{i}", "holding", i, "u16")).ToArray();
        var plan = ReadPlanner.Plan(points, maxGap: 8);
        Assert.Equal([125, 75], plan.Select(b => (int)b.Count));
    }

    [Fact]
    public void Property_plans_stay_within_limits_cover_every_point_exactly_once_and_cannot_be_merged_further()
    {
        var random = new Random(5);
        string[] tables = ["coil", "discrete", "input", "holding"];
        string[] types = ["u16", "i16", "u32", "f32", "u64", "f64"];
        for (var round = 0; round < 2_000; round++)
        {
            var count = random.Next(1, 60);
            var span = random.Next(10, 3000);
            var points = new ModbusPoint[count];
            for (var i = 0; i < count; i++)
            {
                var table = tables[random.Next(tables.Length)];
                var bitTable = table is "coil" or "discrete";
                points[i] = P($"p{i}", table, random.Next(0, span), bitTable ? null : types[random.Next(types.Length)]);
            }
            var maxGap = random.Next(0, 30);
            var maxRegisters = random.Next(0, 3) == 0 ? random.Next(4, 20) : 125;
            var plan = ReadPlanner.Plan(points, maxGap, maxRegisters);

            var covered = new int[count];
            foreach (var block in plan)
            {
                var limit = block.Table is ModbusTable.Coil or ModbusTable.Discrete ? 2000 : maxRegisters;
                Assert.InRange(block.Count, 1, limit);
                foreach (var index in block.PointIndexes)
                {
                    var p = points[index];
                    Assert.Equal(p.Table, block.Table);
                    Assert.True(p.Address >= block.Start && p.Address + p.Width <= block.Start + block.Count, $"round {round}: {p.Name} outside block");
                    covered[index]++;
                }
                // No wasted request: the block starts at a point and ends at one.
                Assert.Contains(block.PointIndexes, i => points[i].Address == block.Start);
                Assert.Contains(block.PointIndexes, i => points[i].Address + points[i].Width == block.Start + block.Count);
            }
            Assert.All(covered, c => Assert.Equal(1, c));

            foreach (var group in plan.GroupBy(b => b.Table))
            {
                var blocks = group.OrderBy(b => b.Start).ToList();
                var limit = group.Key is ModbusTable.Coil or ModbusTable.Discrete ? 2000 : maxRegisters;
                for (var i = 1; i < blocks.Count; i++)
                {
                    var previousEnd = blocks[i - 1].Start + blocks[i - 1].Count;
                    // Blocks may overlap only when points overlap a full block's end (then merging would break the limit).
                    var gap = blocks[i].Start - previousEnd;
                    var merged = blocks[i].Start + blocks[i].Count - blocks[i - 1].Start;
                    Assert.True(gap > maxGap || merged > limit, $"round {round}: blocks at {blocks[i - 1].Start} and {blocks[i].Start} could be one");
                }
            }
        }
    }

    private static ModbusPoint P(string name, string table, int address, string? type) =>
        ModbusPoint.FromOptions(new PointOptions { Name = name, Table = table, Address = address, Type = type });
}
