using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Drivers;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Channels;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Client;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Drivers.Modbus.Protocol;
using Gateway.Drivers.Modbus.Transport;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>The whole Modbus driver against python3-pymodbus (TCP, and RTU over a socat pty pair), cross-checked with mbpoll.</summary>
public partial class PymodbusDriverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("tcp")]
    [InlineData("rtu+tcp")]
    public async Task Tcp_every_type_and_order_decodes_like_the_server_holds_it(string scheme)
    {
        using var temp = new TempDirectory("modbus");
        var (points, expected, tables) = TypeMatrix.Build();
        var port = Net.FreePort();
        using var server = await PymodbusServer.StartAsync(scheme, port.ToString(CultureInfo.InvariantCulture), tables, temp);
        var device = new DeviceOptions { Id = "meter", Type = "modbus", Endpoint = $"{scheme}://127.0.0.1:{port}", PollMs = 200, Points = points };

        var output = await PollUntilAsync([device], [], o => o.Latest().Count == points.Count);

        AssertDecoded(output, "meter", expected);
        Assert.Equal("°C", output.Latest()[("meter", "scaled")].Unit);
    }

    [Fact]
    public async Task Rtu_over_a_serial_pty_every_type_and_order_decodes_and_several_units_share_the_bus()
    {
        using var temp = new TempDirectory("modbus");
        var (points, expected, tables) = TypeMatrix.Build();
        using var pty = await SocatPtyPair.StartAsync(temp);
        using var server = await PymodbusServer.StartAsync("rtu", pty.A, tables, temp, units: "1,2");
        var bus = new BusOptions { Id = "rs485-1", Port = pty.B, Baud = 19200, Rs485 = true };
        DeviceOptions[] devices =
        [
            new() { Id = "unit1", Type = "modbus", Bus = "rs485-1", UnitId = 1, PollMs = 300, Points = points },
            new() { Id = "unit2", Type = "modbus", Bus = "rs485-1", UnitId = 2, PollMs = 500, Points = points.Take(8).ToList() },
        ];

        var output = await PollUntilAsync(devices, [bus], o =>
            o.Latest().Count(kv => kv.Key.Device == "unit1" && kv.Value.Quality == ReadingQuality.Good) == points.Count
            && o.Latest().Count(kv => kv.Key.Device == "unit2" && kv.Value.Quality == ReadingQuality.Good) == 8);

        AssertDecoded(output, "unit1", expected);
        AssertDecoded(output, "unit2", expected.Where(kv => points.Take(8).Any(p => p.Name == kv.Key)).ToDictionary());
    }

    [Fact]
    public async Task Exceptions_and_timeouts_become_bad_quality_and_a_silent_unit_goes_offline()
    {
        using var temp = new TempDirectory("modbus");
        var (_, _, tables) = TypeMatrix.Build();
        var port = Net.FreePort();
        using var server = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        var endpoint = $"tcp://127.0.0.1:{port}";
        DeviceOptions[] devices =
        [
            new() { Id = "holes", Type = "modbus", Endpoint = endpoint, PollMs = 200, Points = [new() { Name = "good", Table = "holding", Address = 200 }, new() { Name = "missing", Table = "holding", Address = 5000 }] },
            new() { Id = "ghost", Type = "modbus", Endpoint = endpoint, UnitId = 9, PollMs = 200, TimeoutMs = 200, Retries = 0, Points = [new() { Name = "x", Table = "holding", Address = 0 }] },
        ];

        var output = await PollUntilAsync(devices, [], o =>
            o.Latest().ContainsKey(("holes", "missing")) && o.Events.Any(e => e.Type == DriverEventTypes.DeviceOffline));

        var latest = output.Latest();
        Assert.Equal(ReadingQuality.Good, latest[("holes", "good")].Quality);
        Assert.Equal("4242", latest[("holes", "good")].Value.ToString());
        var missing = latest[("holes", "missing")];
        Assert.Equal(ReadingQuality.Bad, missing.Quality);
        Assert.Equal("exception 2 (illegal data address)", missing.Reason);
        Assert.Equal(ReadingValueKind.None, missing.Value.Kind);
        var ghost = latest[("ghost", "x")];
        Assert.Equal(ReadingQuality.Bad, ghost.Quality);
        Assert.Equal("timeout", ghost.Reason);
        var offline = Assert.Single(output.Events);
        Assert.Equal(("device.offline", "ghost", "timeout"), (offline.Type, offline.Source, (string?)offline.Data["reason"]));
        Assert.DoesNotContain(output.Events, e => e.Source == "holes");
    }

    [Fact]
    public async Task A_float_register_holding_nan_or_infinity_is_a_bad_reading_without_a_value()
    {
        // Meters write NaN into a float register for "not available"; JSON has no NaN, so it must not go out as a good null.
        using var temp = new TempDirectory("modbus");
        var (_, _, tables) = TypeMatrix.Build();
        (tables.Holding[202], tables.Holding[203]) = (0x7FC0, 0x0000); // f32 NaN
        (tables.Holding[204], tables.Holding[205]) = (0xFF80, 0x0000); // f32 -∞
        var port = Net.FreePort();
        using var server = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        DeviceOptions[] devices =
        [
            new()
            {
                Id = "meter", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{port}", PollMs = 200,
                Points = [new() { Name = "far", Table = "holding", Address = 200 }, new() { Name = "nan", Table = "holding", Address = 202, Type = "f32" }, new() { Name = "inf", Table = "holding", Address = 204, Type = "f32", Unit = "kW" }],
            },
        ];

        var output = await PollUntilAsync(devices, [], o => o.Latest().Count == 3);

        var latest = output.Latest();
        Assert.Equal((ReadingQuality.Good, "4242"), (latest[("meter", "far")].Quality, latest[("meter", "far")].Value.ToString()));
        foreach (var name in new[] { "nan", "inf" })
        {
            var reading = latest[("meter", name)];
            Assert.Equal(ReadingValue.None, reading.Value);
            Assert.Equal(ReadingQuality.Bad, reading.Quality);
            Assert.Equal("not a finite number (NaN or infinity)", reading.Reason);
        }
        Assert.Equal("kW", latest[("meter", "inf")].Unit);
        Assert.Empty(output.Events); // the device answers: it is online
    }

    [Fact]
    public async Task A_server_that_dies_and_comes_back_is_reported_offline_then_online()
    {
        using var temp = new TempDirectory("modbus");
        var (_, _, tables) = TypeMatrix.Build();
        var port = Net.FreePort();
        var device = new DeviceOptions { Id = "meter", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{port}", PollMs = 200, TimeoutMs = 200, Retries = 0, Points = [new() { Name = "far", Table = "holding", Address = 200 }] };
        var server = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        var output = new CollectingDriverOutput();
        await using var driver = NewDriver([device], [], output, maxBackoff: TimeSpan.FromMilliseconds(800));
        using var cts = new CancellationTokenSource();
        var running = driver.RunAsync(cts.Token);

        await output.WaitUntilAsync(o => o.Readings.Any(r => r.Quality == ReadingQuality.Good), Wait, "first good reading");
        server.Dispose();
        await output.WaitUntilAsync(o => o.Events.Any(e => e.Type == DriverEventTypes.DeviceOffline), Wait, "device.offline");
        Assert.Equal(ReadingQuality.Bad, output.Readings[^1].Quality);
        var before = output.Readings.Length;
        using var again = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        await output.WaitUntilAsync(o => o.Events.Any(e => e.Type == DriverEventTypes.DeviceOnline), Wait, "device.online");
        await output.WaitUntilAsync(o => o.Readings.Skip(before).Any(r => r.Quality == ReadingQuality.Good), Wait, "good reading after restart");

        await cts.CancelAsync();
        await running;
        Assert.Equal([DriverEventTypes.DeviceOffline, DriverEventTypes.DeviceOnline], output.Events.Select(e => e.Type));
        Assert.All(output.Readings.Where(r => r.Quality == ReadingQuality.Good), r => Assert.Equal("4242", r.Value.ToString()));
    }

    [Fact]
    public async Task Writes_reach_the_server_only_for_writable_points()
    {
        using var temp = new TempDirectory("modbus");
        var (_, _, tables) = TypeMatrix.Build();
        var port = Net.FreePort();
        using var server = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        var device = new DeviceOptions
        {
            Id = "pump", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{port}", PollMs = 100,
            Points =
            [
                new() { Name = "setpoint", Table = "holding", Address = 100, Type = "f32", Order = "CDAB", Writable = true },
                new() { Name = "level", Table = "holding", Address = 102, Type = "u16", Scale = 0.5, Writable = true },
                new() { Name = "relay", Table = "coil", Address = 4, Writable = true },
                new() { Name = "locked", Table = "holding", Address = 103 },
            ],
        };
        var output = new CollectingDriverOutput();
        await using var driver = NewDriver([device], [], output);
        using var cts = new CancellationTokenSource();
        var running = driver.RunAsync(cts.Token);

        Assert.Equal(ModbusWriteStatus.Written, (await driver.WriteAsync("pump", "setpoint", 21.5, CancellationToken.None)).Status);
        Assert.Equal(ModbusWriteStatus.Written, (await driver.WriteAsync("pump", "level", 7, CancellationToken.None)).Status);
        Assert.Equal(ModbusWriteStatus.Written, (await driver.WriteAsync("pump", "relay", 0, CancellationToken.None)).Status);
        Assert.Equal(ModbusWriteStatus.NotWritable, (await driver.WriteAsync("pump", "locked", 1, CancellationToken.None)).Status);
        Assert.Equal(ModbusWriteStatus.InvalidValue, (await driver.WriteAsync("pump", "level", -3, CancellationToken.None)).Status);
        Assert.Equal(ModbusWriteStatus.UnknownPoint, (await driver.WriteAsync("pump", "nope", 1, CancellationToken.None)).Status);
        var writesDone = output.Readings.Length;

        await output.WaitUntilAsync(o => o.Readings.Skip(writesDone).Count(r => r.Quality == ReadingQuality.Good) >= 8, Wait, "readings after the writes");
        await cts.CancelAsync();
        await running;
        var latest = output.Latest();
        Assert.Equal("21.5", latest[("pump", "setpoint")].Value.ToString());
        Assert.Equal("7", latest[("pump", "level")].Value.ToString());
        Assert.Equal("false", latest[("pump", "relay")].Value.ToString());
        Assert.Equal("0", latest[("pump", "locked")].Value.ToString());
    }

    [Fact]
    public async Task Multiple_coil_and_register_writes_round_trip_through_the_master()
    {
        using var temp = new TempDirectory("modbus");
        var (_, _, tables) = TypeMatrix.Build();
        var port = Net.FreePort();
        using var server = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        await using var master = new ModbusMaster(new MbapTransport(TcpByteChannel.Connector("127.0.0.1", port), new ModbusLinkCounters()), TimeProvider.System, CancellationToken.None);
        var response = new byte[ModbusLimits.MaxPduLength];
        var timeout = TimeSpan.FromSeconds(5);

        // FC 15: coils 0..4 := 1 0 1 1 0 (packed LSB first: 0b01101 = 0x0D); FC 1 reads them back.
        var written = await master.ExecuteAsync(1, ModbusRequest.WriteMultipleCoils(0, 5, new byte[] { 0x0D }), response, timeout, CancellationToken.None);
        Assert.True(written.IsSuccess, written.Reason);
        var read = await master.ExecuteAsync(1, ModbusRequest.Read(ModbusFunction.ReadCoils, 0, 5), response, timeout, CancellationToken.None);
        Assert.True(read.IsSuccess, read.Reason);
        Assert.Equal(0x0D, response[read.DataOffset] & 0x1F);

        // FC 16 then FC 3.
        written = await master.ExecuteAsync(1, ModbusRequest.WriteMultipleRegisters(150, new byte[] { 0x12, 0x34, 0xAB, 0xCD }), response, timeout, CancellationToken.None);
        Assert.True(written.IsSuccess, written.Reason);
        read = await master.ExecuteAsync(1, ModbusRequest.Read(ModbusFunction.ReadHoldingRegisters, 150, 2), response, timeout, CancellationToken.None);
        Assert.Equal(new byte[] { 0x12, 0x34, 0xAB, 0xCD }, response.AsSpan(read.DataOffset, read.DataLength).ToArray());

        // Writing past the end is an exception, not a crash.
        written = await master.ExecuteAsync(1, ModbusRequest.WriteSingleRegister(5000, 1), response, timeout, CancellationToken.None);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, written.Exception);
    }

    [Fact]
    public async Task Mbpoll_reads_the_same_values_as_the_gateway()
    {
        var mbpoll = ExternalTool.Require("mbpoll");
        using var temp = new TempDirectory("modbus");
        var (points, _, tables) = TypeMatrix.Build();
        var port = Net.FreePort();
        using var server = await PymodbusServer.StartAsync("tcp", port.ToString(CultureInfo.InvariantCulture), tables, temp);
        var device = new DeviceOptions { Id = "meter", Type = "modbus", Endpoint = $"tcp://127.0.0.1:{port}", PollMs = 200, Points = points };
        var output = await PollUntilAsync([device], [], o => o.Latest().Count == points.Count);
        var latest = output.Latest();

        // mbpoll: -B = big-endian word order (ABCD); without it 32-bit values are low word first (CDAB).
        (string Point, string Type, bool BigEndianWords)[] checks =
        [
            ("f32_ABCD", "4:float", true), ("f32_CDAB", "4:float", false),
            ("i32_ABCD", "4:int", true), ("i32_CDAB", "4:int", false),
            ("u16_ABCD", "4", false),
        ];
        foreach (var (point, type, bigEndian) in checks)
        {
            var address = points.Single(p => p.Name == point).Address;
            List<string> args = ["-1", "-0", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", type, "-r", address.ToString(CultureInfo.InvariantCulture), "-c", "1"];
            if (bigEndian)
            {
                args.Add("-B");
            }
            args.Add("127.0.0.1");
            var result = ExternalTool.Run(mbpoll, args, TimeSpan.FromSeconds(20));
            var match = MbpollValue().Match(result.StdOut);
            Assert.True(match.Success, $"mbpoll output: {result.StdOut} {result.StdErr}");
            var theirs = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var ours = latest[("meter", point)].Value.AsDouble();
            Assert.Equal(theirs, ours, Math.Abs(ours) * 1e-6);
        }
    }

    [GeneratedRegex(@"\[\d+\]:\s+(-?[0-9.e+-]+)")]
    private static partial Regex MbpollValue();

    private static void AssertDecoded(CollectingDriverOutput output, string device, IReadOnlyDictionary<string, string> expected)
    {
        var latest = output.Latest();
        foreach (var (point, text) in expected)
        {
            var reading = latest[(device, point)];
            Assert.True(reading.Quality == ReadingQuality.Good, $"{device}.{point}: {reading.Reason}");
            Assert.True(text == reading.Value.ToString(), $"{device}.{point}: expected {text}, got {reading.Value}");
        }
    }

    private static ModbusDriver NewDriver(DeviceOptions[] devices, BusOptions[] buses, CollectingDriverOutput output, TimeSpan? maxBackoff = null) =>
        new(Options.Create(new ModbusDriverOptions { Devices = devices, Buses = buses, MaxBackoff = maxBackoff ?? TimeSpan.FromSeconds(60) }),
            output, TimeProvider.System, NullLogger<ModbusDriver>.Instance);

    private static async Task<CollectingDriverOutput> PollUntilAsync(DeviceOptions[] devices, BusOptions[] buses, Func<CollectingDriverOutput, bool> done)
    {
        var output = new CollectingDriverOutput();
        await using var driver = NewDriver(devices, buses, output);
        using var cts = new CancellationTokenSource();
        var running = driver.RunAsync(cts.Token);
        try
        {
            await output.WaitUntilAsync(done, Wait, "readings");
        }
        finally
        {
            await cts.CancelAsync();
            await running;
        }
        return output;
    }
}
