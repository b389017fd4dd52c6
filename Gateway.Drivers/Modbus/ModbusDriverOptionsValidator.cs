using Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// The Modbus rules a JSON Schema cannot express: unique bus ids and ports, a device on exactly one
/// of an endpoint or a known bus, unit ids a master can poll, and points that fit their table, type
/// and the address space. Run at start (<c>ValidateOnStart</c>) and by the Host's <c>check-config</c>
/// through <see cref="Problems"/>; only devices of type <c>modbus</c> are looked at.
/// </summary>
public sealed class ModbusDriverOptionsValidator : IValidateOptions<ModbusDriverOptions>
{
    private static readonly Dictionary<string, int> TypeBits = new(StringComparer.Ordinal)
    {
        ["bool"] = 1, ["u16"] = 16, ["i16"] = 16, ["u32"] = 32, ["i32"] = 32, ["f32"] = 32, ["u64"] = 64, ["i64"] = 64, ["f64"] = 64,
    };

    public ValidateOptionsResult Validate(string? name, ModbusDriverOptions options) => OptionsProblems.ToResult(Problems(options));

    /// <summary>Every problem, with the configuration path of the key at fault.</summary>
    public static IReadOnlyList<(string Path, string Message)> Problems(ModbusDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<(string Path, string Message)>();
        var buses = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < options.Buses.Count; i++)
        {
            if (!buses.TryAdd(options.Buses[i].Id, i))
            {
                problems.Add(($"buses[{i}].id", $"duplicate bus id '{options.Buses[i].Id}' (also buses[{buses[options.Buses[i].Id]}])"));
            }
        }
        var ports = new HardwareClaims();
        for (var i = 0; i < options.Buses.Count; i++)
        {
            var port = options.Buses[i].Port;
            if (ports.Claim(HardwareClaims.SerialPort(port), $"buses[{i}]") is { } first)
            {
                problems.Add(($"buses[{i}].port", $"port '{port}' is already used by {first}"));
            }
        }
        for (var i = 0; i < options.Devices.Count; i++)
        {
            if (options.Devices[i].Type == "modbus")
            {
                CheckDevice(options.Devices[i], $"devices[{i}]", buses, problems);
            }
        }
        return problems;
    }

    private static void CheckDevice(DeviceOptions device, string path, Dictionary<string, int> buses, List<(string Path, string Message)> problems)
    {
        if ((device.Endpoint is null) == (device.Bus is null))
        {
            problems.Add((path, "a modbus device needs exactly one of 'endpoint' (tcp://host:port, rtu+tcp://host:port) or 'bus'"));
        }
        if (device.Endpoint is { } endpoint && !HostPortUri.TryParse(endpoint, ["tcp", "rtu+tcp"], out _, out var why))
        {
            problems.Add(($"{path}.endpoint", $"invalid endpoint '{endpoint}': {why}"));
        }
        if (device.Bus is { } bus && !buses.ContainsKey(bus))
        {
            var defined = buses.Count == 0 ? "no buses are defined" : $"defined: {string.Join(", ", buses.Keys)}";
            problems.Add(($"{path}.bus", $"unknown bus '{bus}' ({defined})"));
        }
        if (device.UnitId == 0)
        {
            problems.Add(($"{path}.unitId", "unit id 0 is the broadcast address and cannot be polled; use 1-247"));
        }
        else if (device.UnitId > 247 && device.Bus is not null)
        {
            problems.Add(($"{path}.unitId", $"unit id {device.UnitId} is reserved on a serial bus; use 1-247"));
        }
        if (device.Points.Count == 0 && device.Profile is null)
        {
            problems.Add(($"{path}.points", "a modbus device needs 'points' or a 'profile'"));
        }
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var p = 0; p < device.Points.Count; p++)
        {
            var point = device.Points[p];
            var pointPath = p < device.ProfilePointCount
                ? $"{path}.profile({device.Profile}).points[{p}]"
                : $"{path}.points[{p - device.ProfilePointCount}]";
            if (!names.TryAdd(point.Name, pointPath))
            {
                problems.Add(($"{pointPath}.name", $"duplicate point name '{point.Name}' (also {names[point.Name]})"));
            }
            CheckPoint(point, pointPath, problems);
        }
    }

    private static void CheckPoint(PointOptions point, string path, List<(string Path, string Message)> problems)
    {
        var (table, type) = (point.Table, point.Type);
        var isBitTable = table is "coil" or "discrete";
        // The schema rejects these in a file; options built in code reach only this check.
        if (table is not ("coil" or "discrete" or "input" or "holding"))
        {
            problems.Add(($"{path}.table", $"unknown table '{table}'"));
        }
        if (type is not null && !TypeBits.ContainsKey(type))
        {
            problems.Add(($"{path}.type", $"unknown type '{type}'"));
        }
        if (isBitTable && type is not null and not "bool")
        {
            problems.Add(($"{path}.type", $"a {table} point is a single bit: type must be 'bool', not '{type}'"));
        }
        if (point.Bit is { } bit)
        {
            var width = TypeBits.GetValueOrDefault(type ?? "u16", 16);
            if (isBitTable)
            {
                problems.Add(($"{path}.bit", $"bit applies to register values, not to a {table} point"));
            }
            else if (type is "f32" or "f64")
            {
                problems.Add(($"{path}.bit", "bit applies to integer register values, not to floating point"));
            }
            else if (type is not "bool" && bit >= width)
            {
                problems.Add(($"{path}.bit", $"bit {bit} is outside a {width}-bit {type} value"));
            }
            else if (type is "bool" && bit >= 16)
            {
                problems.Add(($"{path}.bit", $"bit {bit} is outside a 16-bit register"));
            }
        }
        else if (!isBitTable && type is "bool")
        {
            problems.Add(($"{path}.bit", "a bool point on a register table needs 'bit' (which bit of the register)"));
        }
        if (point.Writable && table is "discrete" or "input")
        {
            problems.Add(($"{path}.writable", $"the {table} table is read-only in Modbus"));
        }
        var registers = isBitTable || type is null or "bool" ? 1 : TypeBits.GetValueOrDefault(type, 16) / 16;
        if (point.Address + registers > 65536)
        {
            problems.Add(($"{path}.address", $"a {type} at {point.Address} runs past the end of the address space (65535)"));
        }
    }
}
