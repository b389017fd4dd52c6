using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Host.Configuration;

/// <summary>
/// The rules a JSON Schema cannot express: unique ids, references between sections, URI
/// details, files that must exist, and device-type specific consistency. Runs only on a
/// document that already passed the schema, so value types can be trusted here.
/// </summary>
internal sealed class ConfigSemanticValidator
{
    private static readonly Dictionary<string, int> TypeBits = new(StringComparer.Ordinal)
    {
        ["bool"] = 1, ["u16"] = 16, ["i16"] = 16, ["u32"] = 32, ["i32"] = 32, ["f32"] = 32, ["u64"] = 64, ["i64"] = 64, ["f64"] = 64,
    };

    private readonly JsonSchemaValidator _schema;
    private readonly ConfigFileResolver _files;
    private readonly List<ConfigError> _errors;
    private readonly List<ConfigError> _warnings;

    public ConfigSemanticValidator(JsonSchemaValidator schema, ConfigFileResolver files, List<ConfigError> errors, List<ConfigError> warnings)
    {
        _schema = schema;
        _files = files;
        _errors = errors;
        _warnings = warnings;
    }

    /// <summary>Points loaded from device profiles, by device index, for the binder to merge.</summary>
    public Dictionary<int, JsonArray> ProfilePoints { get; } = [];

    public void Validate(JsonObject root)
    {
        ValidateMqtt(root["mqtt"] as JsonObject);
        ValidateWeb(root["web"] as JsonObject);
        var buses = ValidateBuses(root["buses"] as JsonArray);
        ValidateDevices(root["devices"] as JsonArray, buses);
        var models = UniqueIds(root["models"] as JsonArray, "models", "model");
        ValidateModels(root["models"] as JsonArray);
        ValidateCameras(root["cameras"] as JsonArray, models);
    }

    private void ValidateMqtt(JsonObject? mqtt)
    {
        if (mqtt is null)
        {
            return;
        }
        var brokers = mqtt["brokers"]!.AsArray();
        var anyTls = false;
        for (var i = 0; i < brokers.Count; i++)
        {
            var text = brokers[i]!.GetValue<string>();
            var path = $"mqtt.brokers[{i}]";
            if (!TryParseHostPort(text, ["mqtt", "mqtts"], out var uri, out var why))
            {
                Error(path, $"invalid broker URI '{text}': {why}");
                continue;
            }
            anyTls |= uri!.Scheme == "mqtts";
        }
        var cert = Str(mqtt, "certFile");
        var key = Str(mqtt, "keyFile");
        if ((cert is null) != (key is null))
        {
            Error(cert is null ? "mqtt.certFile" : "mqtt.keyFile", "certFile and keyFile must be given together (client certificate and its private key)");
        }
        foreach (var name in new[] { "caFile", "certFile", "keyFile" })
        {
            if (Str(mqtt, name) is { } file)
            {
                RequireFile($"mqtt.{name}", file);
                if (!anyTls)
                {
                    Warn($"mqtt.{name}", "has no effect: no broker uses mqtts://");
                }
            }
        }
        if (Str(mqtt, "password") is not null && Str(mqtt, "username") is null)
        {
            Error("mqtt.password", "a password needs a username");
        }
    }

    private void ValidateWeb(JsonObject? web)
    {
        if (web?["urls"] is not JsonArray urls)
        {
            return;
        }
        for (var i = 0; i < urls.Count; i++)
        {
            var text = urls[i]!.GetValue<string>();
            if (!TryParseHostPort(text, ["http", "https"], out _, out var why))
            {
                Error($"web.urls[{i}]", $"invalid URL '{text}': {why}");
            }
        }
        if ((Str(web, "certFile") is null) != (Str(web, "keyFile") is null))
        {
            Error("web.certFile", "certFile and keyFile must be given together");
        }
    }

    private Dictionary<string, int> ValidateBuses(JsonArray? buses)
    {
        var ids = UniqueIds(buses, "buses", "bus");
        if (buses is not null)
        {
            var ports = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < buses.Count; i++)
            {
                var port = buses[i]!["port"]!.GetValue<string>();
                if (!ports.TryAdd(port, i))
                {
                    Error($"buses[{i}].port", $"port '{port}' is already used by buses[{ports[port]}]");
                }
            }
        }
        return ids;
    }

    private void ValidateDevices(JsonArray? devices, Dictionary<string, int> buses)
    {
        UniqueIds(devices, "devices", "device");
        if (devices is null)
        {
            return;
        }
        var gpioLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var serialPorts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i]!.AsObject();
            var path = $"devices[{i}]";
            switch (device["type"]!.GetValue<string>())
            {
                case "modbus":
                    ValidateModbusDevice(device, path, i, buses);
                    break;
                case "gpio-input" or "gpio-counter" or "gpio-output":
                    var chip = device["chip"]!.GetValue<string>();
                    var line = device["line"]!.GetValue<int>();
                    var lineKey = $"{chip.Replace("/dev/", "", StringComparison.Ordinal)}:{line}";
                    if (!gpioLines.TryAdd(lineKey, i))
                    {
                        Error($"{path}.line", $"GPIO line {line} of {chip} is already used by devices[{gpioLines[lineKey]}]");
                    }
                    break;
                case "pms5003" or "nmea":
                    var port = device["port"]!.GetValue<string>();
                    if (!serialPorts.TryAdd(port, path))
                    {
                        Error($"{path}.port", $"serial port '{port}' is already used by {serialPorts[port]}");
                    }
                    break;
            }
        }
        // A serial sensor must not sit on a port that a Modbus bus owns.
        foreach (var (port, owner) in serialPorts)
        {
            if (FindBusByPort(devices.Parent as JsonObject, port) is { } busPath)
            {
                Error($"{owner}.port", $"serial port '{port}' is already used by {busPath}");
            }
        }
    }

    private static string? FindBusByPort(JsonObject? root, string port)
    {
        if (root?["buses"] is not JsonArray buses)
        {
            return null;
        }
        for (var i = 0; i < buses.Count; i++)
        {
            if (buses[i]!["port"]!.GetValue<string>() == port)
            {
                return $"buses[{i}]";
            }
        }
        return null;
    }

    private void ValidateModbusDevice(JsonObject device, string path, int index, Dictionary<string, int> buses)
    {
        var endpoint = Str(device, "endpoint");
        var bus = Str(device, "bus");
        if ((endpoint is null) == (bus is null))
        {
            Error(path, "a modbus device needs exactly one of 'endpoint' (tcp://host:port, rtu+tcp://host:port) or 'bus'");
        }
        if (endpoint is not null && !TryParseHostPort(endpoint, ["tcp", "rtu+tcp"], out _, out var why))
        {
            Error($"{path}.endpoint", $"invalid endpoint '{endpoint}': {why}");
        }
        if (bus is not null && !buses.ContainsKey(bus))
        {
            var defined = buses.Count == 0 ? "no buses are defined" : $"defined: {string.Join(", ", buses.Keys)}";
            Error($"{path}.bus", $"unknown bus '{bus}' ({defined})");
        }
        var unitId = device["unitId"]?.GetValue<int>() ?? 1;
        if (unitId == 0)
        {
            Error($"{path}.unitId", "unit id 0 is the broadcast address and cannot be polled; use 1-247");
        }
        else if (unitId > 247 && bus is not null)
        {
            Error($"{path}.unitId", $"unit id {unitId} is reserved on a serial bus; use 1-247");
        }

        var points = new List<(JsonObject Point, string Path)>();
        if (Str(device, "profile") is { } profile)
        {
            if (LoadProfile(profile, $"{path}.profile") is { } profilePoints)
            {
                ProfilePoints[index] = profilePoints;
                for (var p = 0; p < profilePoints.Count; p++)
                {
                    points.Add((profilePoints[p]!.AsObject(), $"{path}.profile({profile}).points[{p}]"));
                }
            }
        }
        if (device["points"] is JsonArray own)
        {
            for (var p = 0; p < own.Count; p++)
            {
                points.Add((own[p]!.AsObject(), $"{path}.points[{p}]"));
            }
        }
        if (points.Count == 0 && Str(device, "profile") is null)
        {
            Error($"{path}.points", "a modbus device needs 'points' or a 'profile'");
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (point, pointPath) in points)
        {
            var name = point["name"]!.GetValue<string>();
            if (!names.TryAdd(name, pointPath))
            {
                Error($"{pointPath}.name", $"duplicate point name '{name}' (also {names[name]})");
            }
            ValidatePoint(point, pointPath);
        }
    }

    private void ValidatePoint(JsonObject point, string path)
    {
        var table = point["table"]!.GetValue<string>();
        var type = Str(point, "type");
        var isBitTable = table is "coil" or "discrete";
        if (isBitTable && type is not null and not "bool")
        {
            Error($"{path}.type", $"a {table} point is a single bit: type must be 'bool', not '{type}'");
        }
        var bit = point["bit"]?.GetValue<int>();
        if (bit is not null)
        {
            var width = TypeBits[type ?? "u16"];
            if (isBitTable)
            {
                Error($"{path}.bit", $"bit applies to register values, not to a {table} point");
            }
            else if (type is "f32" or "f64")
            {
                Error($"{path}.bit", "bit applies to integer register values, not to floating point");
            }
            else if (type is not "bool" && bit >= width)
            {
                Error($"{path}.bit", $"bit {bit} is outside a {width}-bit {type} value");
            }
            else if (type is "bool" && bit >= 16)
            {
                Error($"{path}.bit", $"bit {bit} is outside a 16-bit register");
            }
        }
        else if (!isBitTable && type is "bool")
        {
            Error($"{path}.bit", "a bool point on a register table needs 'bit' (which bit of the register)");
        }
        if (point["writable"]?.GetValue<bool>() == true && table is "discrete" or "input")
        {
            Error($"{path}.writable", $"the {table} table is read-only in Modbus");
        }
        var address = point["address"]!.GetValue<int>();
        var registers = isBitTable || type is null or "bool" ? 1 : TypeBits[type] / 16;
        if (address + registers > 65536)
        {
            Error($"{path}.address", $"a {type} at {address} runs past the end of the address space (65535)");
        }
    }

    private JsonArray? LoadProfile(string profile, string path)
    {
        var file = _files.ResolveInput(profile);
        if (file is null)
        {
            Error(path, $"profile file '{profile}' not found (searched {string.Join(", ", _files.SearchDirectories)})");
            return null;
        }
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            Error(path, $"profile '{profile}' is not valid JSON: line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {GatewayConfigLoader.FirstSentence(ex.Message)}");
            return null;
        }
        catch (IOException ex)
        {
            Error(path, $"profile '{profile}' cannot be read: {ex.Message}");
            return null;
        }
        var errors = _schema.Validate(document, "#/$defs/profile", $"{path}({profile})");
        _errors.AddRange(errors);
        return errors.Count == 0 ? document!["points"]!.AsArray() : null;
    }

    private void ValidateModels(JsonArray? models)
    {
        if (models is null)
        {
            return;
        }
        for (var i = 0; i < models.Count; i++)
        {
            var manifest = models[i]!["manifest"]!.GetValue<string>();
            if (_files.ResolveInput(manifest) is null)
            {
                // A missing model stops only the cameras that use it, not the node.
                Warn($"models[{i}].manifest", $"manifest '{manifest}' not found (tools/setup.sh fetches the person model); cameras using it will not run");
            }
        }
    }

    private void ValidateCameras(JsonArray? cameras, Dictionary<string, int> models)
    {
        UniqueIds(cameras, "cameras", "camera");
        if (cameras is null)
        {
            return;
        }
        if (cameras.Count > 0)
        {
            // Said out loud until camera ingest and analytics ship (the section is checked all the same).
            Warn("cameras", $"{cameras.Count} camera(s) configured, but this version does not read cameras yet: no frames, counts or crowd/litter events will come from them");
        }
        for (var i = 0; i < cameras.Count; i++)
        {
            var camera = cameras[i]!.AsObject();
            var path = $"cameras[{i}]";
            var source = camera["source"]!.GetValue<string>();
            ValidateCameraSource(source, $"{path}.source");
            foreach (var analysis in new[] { "crowd", "litter" })
            {
                if (camera[analysis] is not JsonObject section)
                {
                    continue;
                }
                var model = section["model"]!.GetValue<string>();
                if (!models.ContainsKey(model))
                {
                    var defined = models.Count == 0 ? "no models are defined" : $"defined: {string.Join(", ", models.Keys)}";
                    Error($"{path}.{analysis}.model", $"unknown model '{model}' ({defined})");
                }
                var zones = section["zones"]!.AsArray();
                var zoneNames = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var z = 0; z < zones.Count; z++)
                {
                    var zone = zones[z]!.AsObject();
                    var name = zone["name"]!.GetValue<string>();
                    if (!zoneNames.TryAdd(name, z))
                    {
                        Error($"{path}.{analysis}.zones[{z}].name", $"duplicate zone name '{name}' (also zones[{zoneNames[name]}])");
                    }
                    if (analysis == "crowd" && zone["alertPersons"] is JsonNode alert && zone["clearPersons"] is JsonNode clear
                        && clear.GetValue<int>() >= alert.GetValue<int>())
                    {
                        Error($"{path}.crowd.zones[{z}].clearPersons", $"must be lower than alertPersons ({alert.GetValue<int>()}) so that an alert cannot flap");
                    }
                }
            }
        }
    }

    private void ValidateCameraSource(string source, string path)
    {
        if (source.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(source, UriKind.Absolute, out var uri))
            {
                Error(path, $"invalid source URI '{source}'");
                return;
            }
            switch (uri.Scheme)
            {
                case "rtsp" or "rtsps" when uri.Host.Length > 0:
                    return;
                case "v4l2" when uri.AbsolutePath.StartsWith("/dev/video", StringComparison.Ordinal):
                    return;
                default:
                    Error(path, $"invalid source '{source}': expected rtsp://host/path, v4l2:///dev/videoN or a file path");
                    return;
            }
        }
        if (_files.ResolveInput(source) is null)
        {
            Warn(path, $"video file '{source}' not found; the camera will report camera.lost until it appears");
        }
    }

    private Dictionary<string, int> UniqueIds(JsonArray? items, string section, string noun)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        if (items is null)
        {
            return ids;
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i]?["id"] is not JsonValue idNode)
            {
                continue;
            }
            var id = idNode.GetValue<string>();
            if (!ids.TryAdd(id, i))
            {
                Error($"{section}[{i}].id", $"duplicate {noun} id '{id}' (also {section}[{ids[id]}])");
            }
        }
        return ids;
    }

    private void RequireFile(string path, string file)
    {
        if (_files.ResolveInput(file) is null)
        {
            Error(path, $"file '{file}' not found");
        }
    }

    /// <summary>Parses <c>scheme://host:port</c> with nothing after the authority but an optional '/'.</summary>
    internal static bool TryParseHostPort(string text, string[] schemes, out Uri? uri, out string why)
    {
        uri = null;
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            why = $"expected {string.Join(" or ", schemes.Select(s => s + "://host:port"))}";
            return false;
        }
        var scheme = text[..separator];
        if (!schemes.Contains(scheme, StringComparer.Ordinal))
        {
            why = $"scheme '{scheme}' is not one of {string.Join(", ", schemes)}";
            return false;
        }
        var authority = text[(separator + 3)..];
        if (authority.EndsWith('/'))
        {
            authority = authority[..^1];
        }
        if (authority.IndexOfAny(['/', '?', '#']) >= 0)
        {
            why = "nothing may follow host:port";
            return false;
        }
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            why = "credentials do not belong in the URI; use username and password";
            return false;
        }
        var colon = authority.LastIndexOf(':');
        var host = authority;
        if (colon >= 0 && colon > authority.LastIndexOf(']'))
        {
            host = authority[..colon];
            var portText = authority[(colon + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                why = $"port '{portText}' is not a number from 1 to 65535";
                return false;
            }
        }
        else if (DefaultPort(scheme) is null)
        {
            why = "port is missing";
            return false;
        }
        if (host.Length == 0 || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            why = host.Length == 0 ? "host is missing" : $"'{host}' is not a valid host name or address";
            return false;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out uri))
        {
            why = "not a valid URI";
            return false;
        }
        why = "";
        return true;
    }

    /// <summary>The well-known port of a scheme, used when a URI names none.</summary>
    internal static int? DefaultPort(string scheme) => scheme switch
    {
        "mqtt" => 1883,
        "mqtts" => 8883,
        "tcp" => 502,
        "http" => 80,
        "https" => 443,
        _ => null, // rtu+tcp: serial servers have no standard port
    };

    private static string? Str(JsonObject obj, string key) =>
        obj[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private void Error(string path, string message) => _errors.Add(new ConfigError(path, message));

    private void Warn(string path, string message) => _warnings.Add(new ConfigError(path, message));
}
