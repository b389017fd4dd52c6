using System.Text.Json.Nodes;
using Gateway.Host.Configuration;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Configuration;

public class ConfigValidationTests
{
    private static readonly string ExamplesDir = Repo.PathOf("config", "examples");
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    private static JsonObject SpecExample() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "spec-section4.json")))!.AsObject();

    private static ConfigLoadResult Load(JsonObject root, IDictionary<string, string?>? env = null) =>
        GatewayConfigLoader.LoadText(root.ToJsonString(), ExamplesDir, env ?? NoEnvironment);

    [Fact]
    public void Spec_section_4_example_is_accepted_and_bound()
    {
        var result = GatewayConfigLoader.LoadFile(Path.Combine(ExamplesDir, "spec-section4.json"), NoEnvironment);

        Assert.Empty(result.Errors);
        var o = result.Options!;
        Assert.Equal("pole-0001", o.Node.Id);
        Assert.Equal(256, o.Storage.MaxMegabytes);
        Assert.Equal(600, o.Storage.ClockHoldSeconds); // untimed records wait 10 min for a time source
        Assert.Equal(["mqtt://127.0.0.1:1883"], o.Mqtt.Brokers);
        Assert.Equal("pole-0001", o.Mqtt.ClientId); // defaults to the node id
        var water = o.Devices[0];
        Assert.Equal(("water-1", "tcp://127.0.0.1:5020", 1000), (water.Id, water.Endpoint, water.PollMs));
        Assert.Equal(("flow_total", "f32", "CDAB", "m3"), (water.Points[0].Name, water.Points[0].Type, water.Points[0].Order, water.Points[0].Unit));
        // The gas meter's points come from its profile file.
        var gas = o.Devices[1];
        Assert.Equal("rs485-1", gas.Bus);
        Assert.Contains(gas.Points, p => p.Name == "volume_total" && p.Order == "CDAB");
        Assert.Equal(9600, o.Buses[0].Baud);
    }

    public static TheoryData<string, Action<JsonObject>, string> BrokenConfigs() => new()
    {
        { "unknown key", r => r["mqtt"]!["pasword"] = "x", "mqtt.pasword: unknown key 'pasword' (did you mean 'password'?)" },
        { "wrong type", r => r["storage"]!["maxMegabytes"] = "256", "storage.maxMegabytes: expected number, got '256'" },
        { "missing id", r => r["devices"]![0]!.AsObject().Remove("id"), "devices[0].id: required key is missing" },
        { "duplicate device id", r => r["devices"]![1]!["id"] = "water-1", "devices[1].id: duplicate device id 'water-1' (also devices[0])" },
        { "device on an undefined bus", r => r["devices"]![1]!["bus"] = "rs485-9", "devices[1].bus: unknown bus 'rs485-9' (defined: rs485-1)" },
        { "bad endpoint URI (port)", r => r["devices"]![0]!["endpoint"] = "tcp://127.0.0.1:70000", "devices[0].endpoint: invalid endpoint 'tcp://127.0.0.1:70000': port '70000' is not a number from 1 to 65535" },
        { "bad endpoint URI (scheme)", r => r["devices"]![0]!["endpoint"] = "udp://127.0.0.1:5020", "devices[0].endpoint: 'udp://127.0.0.1:5020' does not match the pattern" },
        { "bad endpoint URI (host)", r => r["devices"]![0]!["endpoint"] = "tcp://:5020", "devices[0].endpoint: invalid endpoint 'tcp://:5020': host is missing" },
        { "bad byte order", r => r["devices"]![0]!["points"]![0]!["order"] = "ABDC", "devices[0].points[0].order: unknown order 'ABDC' (expected one of: ABCD, CDAB, BADC, DCBA)" },
        { "unknown point type", r => r["devices"]![0]!["points"]![0]!["type"] = "float", "devices[0].points[0].type: unknown type 'float'" },
        { "empty broker list", r => r["mqtt"]!["brokers"] = new JsonArray(), "mqtt.brokers: must not be empty" },
        { "clock hold beyond a day", r => r["storage"]!["clockHoldSeconds"] = 90000, "storage.clockHoldSeconds: must be <= 86400, got 90000" },
        { "negative clock hold", r => r["storage"]!["clockHoldSeconds"] = -1, "storage.clockHoldSeconds: must be >= 0, got -1" },
        { "negative poll interval", r => r["devices"]![0]!["pollMs"] = -1000, "devices[0].pollMs: must be >= 10, got -1000" },
        { "bad broker URI", r => r["mqtt"]!["brokers"] = new JsonArray("mqtt://broker:0"), "mqtt.brokers[0]: invalid broker URI 'mqtt://broker:0': port '0' is not a number from 1 to 65535" },
        { "node id unusable in a topic", r => r["node"]!["id"] = "pole/1", "node.id: 'pole/1' does not match the pattern" },
        { "missing required section", r => r.Remove("mqtt"), "mqtt: required key is missing" },
        { "modbus device with both endpoint and bus", r => r["devices"]![0]!["bus"] = "rs485-1", "devices[0]: a modbus device needs exactly one of 'endpoint'" },
        { "coil with a register type", r => r["devices"]![0]!["points"]![0]!["table"] = "coil", "devices[0].points[0].type: a coil point is a single bit: type must be 'bool', not 'f32'" },
        { "missing profile file", r => r["devices"]![1]!["profile"] = "profiles/nope.json", "devices[1].profile: profile file 'profiles/nope.json' not found" },
        { "duplicate bus port", r => r["buses"]!.AsArray().Add(new JsonObject { ["id"] = "rs485-2", ["port"] = "/dev/ttyS1" }), "buses[1].port: port '/dev/ttyS1' is already used by buses[0]" },
        { "integer expected", r => r["devices"]![0]!["unitId"] = 1.5, "devices[0].unitId: expected integer, got number 1.5" },
        { "certificate without key", r => r["mqtt"]!["certFile"] = "spec-section4.json", "mqtt.keyFile: certFile and keyFile must be given together" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Broken_configuration_is_rejected_with_its_json_path(string what, Action<JsonObject> breakIt, string expected)
    {
        var root = SpecExample();
        breakIt(root);

        var result = Load(root);

        Assert.False(result.IsValid, what);
        Assert.Null(result.Options);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_json_is_reported_with_line_and_column()
    {
        const string text = "{\n  \"node\": { \"id\": \"p1\" },\n  \"storage\": { \"path\": x }\n}";

        var result = GatewayConfigLoader.LoadText(text, ExamplesDir, NoEnvironment);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("(root): invalid JSON at line 3, column 24:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_error_is_reported_not_only_the_first()
    {
        var root = SpecExample();
        root["mqtt"]!["pasword"] = "x";
        root["storage"]!["maxMegabytes"] = -1;
        root["devices"]![0]!["points"]![0]!["type"] = "float";

        var result = Load(root);

        Assert.Equal(
            ["storage.maxMegabytes", "mqtt.pasword", "devices[0].points[0].type"],
            result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Semantic_errors_across_sections_are_all_reported()
    {
        var root = SpecExample();
        root["devices"]![1]!["id"] = "water-1";
        root["devices"]![1]!["bus"] = "nope";
        root["mqtt"]!["brokers"] = new JsonArray("mqtt://a:1", "mqtts://:8883");

        var result = Load(root);

        Assert.Equal(["mqtt.brokers[1]", "devices[1].id", "devices[1].bus"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Pole_sensor_and_camera_rules_are_checked()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "pole-sensors.json")))!.AsObject();
        root["devices"]![1]!["line"] = 17; // the door's line
        root["devices"]![5]!["port"] = "/dev/ttyS2"; // the PMS5003's port
        root["models"] = new JsonArray(new JsonObject { ["id"] = "person", ["manifest"] = "m.json" });
        root["cameras"] = JsonNode.Parse("""
            [{ "id": "c1", "source": "ftp://x/y",
               "crowd": { "model": "persons", "zones": [
                   { "name": "z", "polygon": [[0,0],[1,0],[1,1]], "alertPersons": 5, "clearPersons": 5 },
                   { "name": "z", "polygon": [[0,0],[1,0]] } ] } }]
            """);

        var errors = Load(root).Errors.Select(e => e.ToString()).ToList();

        // Structural (schema) errors come first; semantic rules run on a structurally valid document.
        Assert.Equal(["cameras[0].crowd.zones[1].polygon: must have at least 3 item(s), has 2"], errors);
        root["cameras"]![0]!["crowd"]!["zones"]![1]!["polygon"] = JsonNode.Parse("[[0,0],[1,0],[1,1]]");
        errors = Load(root).Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("devices[1].line: GPIO line 17 of gpiochip0 is already used by devices[0]", errors);
        Assert.Contains("devices[5].port: serial port '/dev/ttyS2' is already used by devices[4]", errors);
        Assert.Contains(errors, e => e.StartsWith("cameras[0].source: invalid source 'ftp://x/y'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].crowd.model: unknown model 'persons' (defined: person)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].crowd.zones[1].name: duplicate zone name 'z'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].crowd.zones[0].clearPersons: must be lower than alertPersons (5)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gpiochip0", "/dev/gpiochip0")]
    [InlineData("/dev/gpiochip0", "gpiochip0")]
    public void Check_config_counts_both_spellings_of_a_chip_as_one_chip(string first, string second)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "pole-sensors.json")))!.AsObject();
        root["devices"]![0]!["chip"] = first;
        root["devices"]![1]!["chip"] = second;
        root["devices"]![1]!["line"] = 17; // the door's line

        var errors = Load(root).Errors.Select(e => e.ToString());

        Assert.Equal([$"devices[1].line: GPIO line 17 of {second} is already used by devices[0]"], errors);
    }

    [Fact]
    public void A_serial_sensor_on_a_bus_port_is_reported_whatever_the_spelling()
    {
        var root = SpecExample();
        root["devices"]!.AsArray().Add(new JsonObject { ["id"] = "gps-1", ["type"] = "nmea", ["port"] = "/dev//ttyS1" });

        var errors = Load(root).Errors.Select(e => e.ToString());

        Assert.Equal(["devices[2].port: serial port '/dev//ttyS1' is already used by buses[0]"], errors);
    }

    [Fact]
    public void Missing_model_manifest_is_a_warning_not_an_error()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "cameras.json")))!.AsObject();
        root["models"]![0]!["manifest"] = "models/absent/manifest.json";

        var result = Load(root);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings, w => w.Path != "cameras");
        Assert.Equal("models[0].manifest", warning.Path);
    }

    [Fact]
    public void Configured_cameras_are_run_now_so_check_config_no_longer_warns_about_them()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "cameras.json")))!.AsObject();

        var result = Load(root);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.DoesNotContain(result.Warnings, w => w.Path == "cameras");
    }

    [Fact]
    public void Zone_points_are_pixels_of_the_analysis_frame_so_a_point_beyond_it_is_an_error()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "cameras.json")))!.AsObject();
        var camera = root["cameras"]![0]!;
        // Drawn on the camera's 1920x1080 picture, not on the 640x480 frame that is analysed.
        camera["crowd"]!["zones"]![0]!["polygon"] = JsonNode.Parse("[[0,0],[1920,0],[1920,1080]]");

        var errors = Load(root).Errors.Select(e => e.ToString()).ToList();

        Assert.Contains(errors, e => e.StartsWith("cameras[0].crowd.zones[0].polygon[1]: point [1920, 0] lies outside the 640x480 analysis frame", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("cameras[0].crowd.zones[0].polygon[2]: ", StringComparison.Ordinal));

        // The same zone fits once the analysis frame is that large.
        camera["width"] = 1920;
        camera["height"] = 1080;
        var result = Load(root);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Analysis_size_stall_time_motion_gate_and_inference_threads_are_bounded_by_the_schema()
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDir, "cameras.json")))!.AsObject();
        var camera = root["cameras"]![0]!;
        camera["width"] = 8;
        camera["stallSeconds"] = 0;
        camera["motionGate"] = JsonNode.Parse("""{ "minChangedPercent": 0, "maxSkipSeconds": 5 }""");
        root["inference"] = JsonNode.Parse("""{ "threads": 0 }""");

        var paths = Load(root).Errors.Select(e => e.Path).ToList();

        Assert.Contains("cameras[0].width", paths);
        Assert.Contains("cameras[0].stallSeconds", paths);
        Assert.Contains("cameras[0].motionGate.minChangedPercent", paths);
        Assert.Contains("inference.threads", paths);
    }
}
