using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using Gateway.Drivers.I2c;
using Gateway.Simulation.I2c;
using Gateway.Drivers.I2c.Bme280;
using IotBme280 = Iot.Device.Bmxx80.Bme280;

namespace Gateway.Bench.Sensors;

/// <summary>
/// Iot.Device.Bindings 4.2's Bme280 beside ours (docs/decisions.md): both read the same
/// simulated register map — trimming with positive, negative dig_H5 and negative dig_H4 — and are
/// checked against the datasheet's floating-point compensation computed here; then the time per
/// read and how much of it blocks the calling thread.
/// </summary>
public sealed class Bme280CompareCommand : IBenchCommand
{
    private const int Address = 0x76;

    // Our driver publishes 0.01 °C, 0.001 hPa / %RH from the datasheet's fixed-point formulas
    // (section 4.2.3); they differ from the floating-point ones by less than these.
    private const double CelsiusTolerance = 0.02;
    private const double HectopascalTolerance = 0.05;
    private const double PercentTolerance = 0.1;

    public string Name => "bme280-compare";

    public string Description => "Iot.Device.Bindings 4.2 Bme280 vs ours on one register map, against the datasheet formulas (args: [reads=50])";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var reads = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        // raw humidity chosen per trimming so that the expected values lie inside 0…100 %RH (not clamped)
        var cases = new (string Name, Bme280Trimming Trimming, int[] AdcH)[]
        {
            ("typical (dig_H4 313, dig_H5 50)", Bme280Trimming.Typical, [26_000, 30_000, 34_000]),
            ("negative dig_H5 (-30)", Bme280Trimming.Typical with { H5 = -30 }, [26_000, 30_000, 34_000]),
            ("negative dig_H4 (-20), dig_H5 -30", Bme280Trimming.Typical with { H4 = -20, H5 = -30 }, [3_000, 6_000, 9_000]),
        };
        const int adcT = 519888, adcP = 415148;
        var wrong = new Dictionary<string, int> { ["ours"] = 0, ["Iot"] = 0 };
        Console.WriteLine("| trimming | adc_H | datasheet T / P / H | ours T / P / H | Iot.Device.Bindings T / P / H |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, trimming, adcHs) in cases)
        {
            foreach (var adcH in adcHs)
            {
                var expected = Bme280Reference.Compensate(trimming, adcT, adcP, adcH);
                var map = RegisterMap(trimming, adcT, adcP, adcH);
                var ours = await ReadOursAsync(map, cancellationToken);
                var iot = ReadIot(map);
                var oursCell = Cell(ours, expected, out var oursOk);
                var iotCell = Cell(iot, expected, out var iotOk);
                wrong["ours"] += oursOk ? 0 : 1;
                wrong["Iot"] += iotOk ? 0 : 1;
                Console.WriteLine($"| {name} | {adcH} | {expected.Celsius:0.00} °C / {expected.Hectopascal:0.000} hPa / {expected.Percent:0.000} %RH | {oursCell} | {iotCell} |");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"readings off the datasheet value (T ±{CelsiusTolerance} °C, P ±{HectopascalTolerance} hPa, H ±{PercentTolerance} %RH): ours {wrong["ours"]}/9, Iot.Device.Bindings {wrong["Iot"]}/9");

        // time per read, and how much of it holds the calling thread (a blocked thread-pool thread
        // on a 2-core pole is a thread nobody else can use)
        var timingMap = RegisterMap(Bme280Trimming.Typical, adcT, adcP, 30_000);
        var bus = new SimulatedI2cBus(1);
        bus.Attach(Address, timingMap);
        var sensor = new Bme280Sensor(bus.Open(Address), TimeProvider.System);
        await sensor.InitializeAsync(cancellationToken);
        using var iotSensor = new IotBme280(new RegisterMapI2cDevice(timingMap, 1, Address));
        iotSensor.Read();
        var oursWall = Stopwatch.StartNew();
        var oursBlocked = TimeSpan.Zero;
        for (var i = 0; i < reads; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var pending = sensor.MeasureAsync(cancellationToken);
            oursBlocked += Stopwatch.GetElapsedTime(start);
            await pending;
        }
        oursWall.Stop();
        var iotWall = Stopwatch.StartNew();
        for (var i = 0; i < reads; i++)
        {
            iotSensor.Read();
        }
        iotWall.Stop();
        Console.WriteLine();
        Console.WriteLine("| driver | wall time per read | calling thread blocked per read | Thread.Sleep in its read path (IL) |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine($"| ours (Bme280Sensor.MeasureAsync) | {oursWall.Elapsed.TotalMilliseconds / reads:0.00} ms | {oursBlocked.TotalMilliseconds / reads:0.000} ms | {SleepCallers(typeof(Bme280Sensor), nameof(Bme280Sensor.MeasureAsync))} |");
        Console.WriteLine($"| Iot.Device.Bindings (Bme280.Read) | {iotWall.Elapsed.TotalMilliseconds / reads:0.00} ms | {iotWall.Elapsed.TotalMilliseconds / reads:0.00} ms (synchronous) | {SleepCallers(typeof(IotBme280), nameof(IotBme280.Read))} |");
        return 0;
    }

    private static SimulatedBme280 RegisterMap(Bme280Trimming trimming, int adcT, int adcP, int adcH)
    {
        var registers = new byte[256];
        registers[0xD0] = 0x60; // chip id
        trimming.WriteTo(registers);
        // 0xF7…0xFE: press_msb, press_lsb, press_xlsb[7:4], temp_msb, temp_lsb, temp_xlsb[7:4], hum_msb, hum_lsb
        ReadOnlySpan<byte> data =
        [
            (byte)(adcP >> 12), (byte)(adcP >> 4), (byte)((adcP & 0xF) << 4),
            (byte)(adcT >> 12), (byte)(adcT >> 4), (byte)((adcT & 0xF) << 4),
            (byte)(adcH >> 8), (byte)adcH,
        ];
        data.CopyTo(registers.AsSpan(0xF7));
        // The bench's own trimming over every register, so that ours and Iot's read a map neither wrote.
        var map = new SimulatedBme280();
        map.Load(0, registers);
        return map;
    }

    private static async Task<(double, double, double)?> ReadOursAsync(SimulatedRegisterTarget map, CancellationToken cancellationToken)
    {
        var bus = new SimulatedI2cBus(1);
        bus.Attach(Address, map);
        var sensor = new Bme280Sensor(bus.Open(Address), TimeProvider.System);
        await sensor.InitializeAsync(cancellationToken);
        var m = await sensor.MeasureAsync(cancellationToken);
        return m is { } v ? (v.TemperatureCelsius, v.PressureHectopascal, v.HumidityPercent) : null;
    }

    private static (double, double, double)? ReadIot(SimulatedRegisterTarget map)
    {
        using var sensor = new IotBme280(new RegisterMapI2cDevice(map, 1, Address));
        var r = sensor.Read();
        return r.Temperature is { } t && r.Pressure is { } p && r.Humidity is { } h ? (t.DegreesCelsius, p.Hectopascals, h.Percent) : null;
    }

    private static string Cell((double T, double P, double H)? reading, (double Celsius, double Hectopascal, double Percent) expected, out bool ok)
    {
        if (reading is not { } r)
        {
            ok = false;
            return "**no reading**";
        }
        var tOk = Math.Abs(r.T - expected.Celsius) <= CelsiusTolerance;
        var pOk = Math.Abs(r.P - expected.Hectopascal) <= HectopascalTolerance;
        var hOk = Math.Abs(r.H - expected.Percent) <= PercentTolerance;
        ok = tOk && pOk && hOk;
        static string Mark(bool good, string text) => good ? text : $"**{text}**";
        return $"{Mark(tOk, r.T.ToString("0.00", CultureInfo.InvariantCulture))} / {Mark(pOk, r.P.ToString("0.000", CultureInfo.InvariantCulture))} / {Mark(hOk, r.H.ToString("0.000", CultureInfo.InvariantCulture))}";
    }

    /// <summary>
    /// Methods on the read path (the method, the methods it calls in its own assembly, two levels
    /// deep, async state machines included) whose IL calls <see cref="Thread.Sleep(int)"/>.
    /// </summary>
    private static string SleepCallers(Type type, string methodName)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<MethodBase>();
        var roots = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static).Where(m => m.Name == methodName);
        foreach (var root in roots)
        {
            Walk(root, type.Assembly, 0);
        }
        return found.Count == 0 ? "none" : "yes: " + string.Join(", ", found);

        void Walk(MethodBase method, Assembly home, int depth)
        {
            if (!seen.Add(method) || method.GetMethodBody()?.GetILAsByteArray() is not { } il)
            {
                return;
            }
            var stateMachine = method.GetCustomAttribute<System.Runtime.CompilerServices.AsyncStateMachineAttribute>()?.StateMachineType;
            if (stateMachine?.GetMethod("MoveNext", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance) is { } moveNext)
            {
                Walk(moveNext, home, depth);
            }
            foreach (var callee in Callees(method, il))
            {
                if (callee.DeclaringType == typeof(Thread) && callee.Name == nameof(Thread.Sleep))
                {
                    found.Add($"{method.DeclaringType?.Name}.{method.Name}");
                }
                else if (depth < 2 && callee.Module.Assembly == home)
                {
                    Walk(callee, home, depth + 1);
                }
            }
        }
    }

    // A linear IL scan is enough here: call (0x28) and callvirt (0x6F) carry a 4-byte method token; other
    // opcodes are skipped by their operand sizes.
    private static IEnumerable<MethodBase> Callees(MethodBase method, byte[] il)
    {
        var result = new List<MethodBase>();
        for (var i = 0; i < il.Length;)
        {
            OpCode op;
            if (il[i] == 0xFE)
            {
                op = TwoByte[il[i + 1]];
                i += 2;
            }
            else
            {
                op = OneByte[il[i]];
                i += 1;
            }
            if ((op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj) && method.Module.ResolveMethod(BitConverter.ToInt32(il, i), method.DeclaringType?.GetGenericArguments(), method.IsGenericMethod ? method.GetGenericArguments() : null) is { } callee)
            {
                result.Add(callee);
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }
        return result;
    }

    private static readonly OpCode[] OneByte = OpCodeTable(false);
    private static readonly OpCode[] TwoByte = OpCodeTable(true);

    private static OpCode[] OpCodeTable(bool twoByte)
    {
        var table = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            var value = (ushort)op.Value;
            if (twoByte == (op.Size == 2))
            {
                table[value & 0xFF] = op;
            }
        }
        return table;
    }
}
