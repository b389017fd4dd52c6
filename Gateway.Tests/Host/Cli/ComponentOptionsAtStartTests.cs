using System.Text.Json.Nodes;
using Gateway.Host.Cli;
using Gateway.Host.Configuration;
using Gateway.Tests.Support;

namespace Gateway.Tests.Host.Cli;

/// <summary>
/// Each component's options are checked twice with one set of rules: by <c>check-config</c> on the
/// file, and by the component's own validator when the host starts (<c>ValidateOnStart</c>), which
/// the CLI turns into one line and exit 1. The host-start half is fed options that bypassed the
/// file's checks, as options built in code would.
/// </summary>
public sealed class ComponentOptionsAtStartTests
{
    private static readonly string ExamplesDir = Repo.PathOf("config", "examples");

    public static TheoryData<string, string, Action<JsonObject>, Action<GatewayOptions>, string> BadOptions() => new()
    {
        {
            "modbus", "spec-section4.json",
            r => r["devices"]![0]!["points"]![0]!["address"] = 65535,
            o => o.Devices[0].Points[0].Address = 65535,
            "devices[0].points[0].address: a f32 at 65535 runs past the end of the address space (65535)"
        },
        {
            "pole sensors", "pole-sensors.json",
            r => (r["devices"]![1]!["chip"], r["devices"]![1]!["line"]) = ("/dev/gpiochip0", 17),
            o => (o.Devices[1].Chip, o.Devices[1].Line) = ("/dev/gpiochip0", 17),
            "devices[1].line: GPIO line 17 of /dev/gpiochip0 is already used by devices[0]"
        },
        {
            "mqtt", "spec-section4.json",
            r => r["mqtt"]!["password"] = "secret",
            o => o.Mqtt.Password = "secret",
            "mqtt.password: a password needs a username"
        },
        {
            "web", "spec-section4.json",
            r => r["web"]!["keyFile"] = "key.pem",
            o => o.Web.KeyFile = "key.pem",
            "web.certFile: certFile and keyFile must be given together"
        },
        {
            "cameras", "cameras.json",
            r => r["cameras"]![0]!["crowd"]!["model"] = "persons",
            o => o.Cameras[0].Crowd!.Model = "persons",
            "cameras[0].crowd.model: unknown model 'persons' (defined: person)"
        },
        {
            // The schema stops this in a file before any component rule runs; the store's validator stops it in code.
            "storage", "spec-section4.json",
            r => r["storage"]!["durability"] = "sometimes",
            o => o.Storage.Durability = "sometimes",
            "storage.durability: "
        },
        {
            "time", "spec-section4.json",
            r => r["time"] = new JsonObject { ["ntpServers"] = new JsonArray("ntp.example:0") },
            o => o.Time.NtpServers = ["ntp.example:0"],
            "time.ntpServers[0]: 'ntp.example:0' has a port that is not 1..65535"
        },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task A_bad_option_stops_the_host_at_start_in_one_line_and_check_config_reports_it(
        string component, string example, Action<JsonObject> breakFile, Action<GatewayOptions> breakOptions, string expected)
    {
        var text = File.ReadAllText(Path.Combine(ExamplesDir, example));
        var loaded = GatewayConfigLoader.LoadText(text, ExamplesDir, []);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        breakOptions(loaded.Options!);
        var (startOut, startError) = (new StringWriter(), new StringWriter());

        var code = await GatewayCli.RunHostAsync(loaded, Path.Combine(ExamplesDir, example), new CliConsole(new StringReader(""), startOut, startError), CancellationToken.None);

        Assert.Equal(1, code);
        var line = Assert.Single(startError.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("edge-gateway: invalid configuration: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);

        using var dir = new TempDirectory();
        var root = JsonNode.Parse(text, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
        breakFile(root);
        File.WriteAllText(dir.File("bad.json"), root.ToJsonString());
        var (checkOut, checkError) = (new StringWriter(), new StringWriter());

        var checkCode = await GatewayCli.RunAsync(["check-config", "--config", dir.File("bad.json")], new CliConsole(new StringReader(""), checkOut, checkError) { IsInteractive = false });

        Assert.Equal(1, checkCode);
        var errors = checkError.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The same path in both; the same words too, except for storage, whose file the schema rejects first.
        var path = expected[..expected.IndexOf(':', StringComparison.Ordinal)];
        Assert.Contains(errors, e => e.StartsWith(component == "storage" ? path + ":" : expected, StringComparison.Ordinal));
    }
}
