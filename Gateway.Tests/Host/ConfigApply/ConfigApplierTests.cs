using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Simulation.Modbus;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Host.ConfigApply;

public class ConfigApplierTests
{
    private const string Secret = "hunter2-Secret-42";

    private static string Config(string storeDir, int meterPort, string extraDevices = "") => $$"""
        { "node": { "id": "pole-apply" },
          "storage": { "path": "{{Path.Combine(storeDir, "data", "buffer.db")}}" },
          "mqtt": { "brokers": ["mqtt://127.0.0.1:1"], "username": "pole-apply", "password": "{{Secret}}" },
          "host": { "applyHealthSeconds": 5 },
          "devices": [ {{Meter("water-1", meterPort)}}{{extraDevices}} ] }
        """;

    private static string Meter(string id, int port) => $$"""
        { "id": "{{id}}", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{port}}", "unitId": 1, "pollMs": 200, "timeoutMs": 300, "retries": 0,
          "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "u16" } ] }
        """;

    private static async Task<(ApplyRig Rig, SimulatedModbusServer Meter)> StartAsync(
        IEnumerable<KeyValuePair<string, Action<IServiceCollection, GatewayOptions>>>? groups = null, ConfigFileWriter? writer = null)
    {
        var meter = new SimulatedModbusServer();
        var temp = Path.Combine(Path.GetTempPath(), $"gw-apply-store-{Guid.NewGuid():N}");
        var rig = await ApplyRig.StartAsync(Config(temp, meter.Port), groups, writer);
        return (rig, meter);
    }

    [Fact]
    public async Task A_patch_adding_a_device_is_written_and_restarts_only_the_modbus_drivers_which_then_poll_it()
    {
        var (rig, meter) = await StartAsync();
        await using var _ = rig;
        await using var __ = meter;
        var before = rig.Running.Current.Version;
        var timeGroup = rig.Live.ServicesOf(LiveComponents.Time);
        var patch = JsonNode.Parse($$"""{ "devices": [ {{Meter("water-1", meter.Port)}}, {{Meter("water-2", meter.Port)}} ] }""")!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch, before));

        Assert.True(result.Applied, string.Join("; ", result.Errors));
        Assert.Equal("modbus", result.Restarted);
        Assert.NotEqual(before, result.Version);
        Assert.Equal(ConfigVersion.Of(File.ReadAllBytes(rig.ConfigPath)), result.Version);
        Assert.Equal(result.Version, rig.Running.Current.Version);
        Assert.Equal(before, ConfigVersion.OfFile(ConfigFileWriter.LastGoodPath(rig.ConfigPath))); // the previous file, kept
        var file = rig.FileDocument();
        Assert.Equal("water-2", (string?)file["devices"]![1]!["id"]);
        Assert.Equal(Secret, (string?)file["mqtt"]!["password"]); // a patch leaves what it does not name
        Assert.Same(timeGroup, rig.Live.ServicesOf(LiveComponents.Time)); // untouched sections keep running
        await Eventually.HoldsAsync(
            () => rig.Drivers.GetStatus().Any(s => s.DeviceId == "water-2" && s.Health == DeviceHealth.Online),
            () => "water-2 polled by the rebuilt Modbus driver");

        var applied = Assert.Single(rig.DrainEvents(), e => e.Type == "config.applied");
        var data = JsonNode.Parse(applied.DataJson)!;
        Assert.Equal("tester", (string?)data["by"]);
        Assert.Equal("web", (string?)data["via"]);
        Assert.Equal(result.Version, (string?)data["version"]);
        Assert.Equal("applied", (string?)data["result"]);
        var line = Assert.Single(rig.Audit.Read());
        Assert.Equal("applied", (string?)line["result"]);
        Assert.Equal(before, (string?)line["baseVersion"]);
        Assert.Contains(line["diff"]!.AsArray(), d => (string?)d!["path"] == "devices[1]");
    }

    [Fact]
    public async Task A_whole_file_sent_back_with_the_redacted_secret_keeps_the_running_secret()
    {
        var (rig, meter) = await StartAsync();
        await using var _ = rig;
        await using var __ = meter;
        // What config/get shows, edited: the password is "***" there.
        var edited = ConfigRedaction.Redact(rig.Running.Current.FileDocument);
        edited["devices"]![0]!["pollMs"] = 500;

        var result = await rig.ApplyAsync(ConfigChange.WholeFile(edited, rig.Running.Current.Version));

        Assert.True(result.Applied, string.Join("; ", result.Errors));
        Assert.Equal("modbus", result.Restarted); // mqtt unchanged: the uplink is not restarted
        Assert.Equal(Secret, (string?)rig.FileDocument()["mqtt"]!["password"]);
        Assert.Equal(500, (int)rig.FileDocument()["devices"]![0]!["pollMs"]!);
        Assert.DoesNotContain(rig.Audit.Read()[0]["diff"]!.AsArray(), d => ((string?)d!["path"])!.StartsWith("mqtt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stale_base_version_is_a_version_conflict_and_nothing_is_written()
    {
        var (rig, meter) = await StartAsync();
        await using var _ = rig;
        await using var __ = meter;
        var bytes = File.ReadAllBytes(rig.ConfigPath);
        var patch = JsonNode.Parse("""{ "node": { "site": "elsewhere" } }""")!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch, "0123456789abcdef"));

        Assert.Equal(ConfigApplyOutcome.Conflict, result.Outcome);
        Assert.Equal("version conflict", result.Error);
        Assert.Equal(bytes, File.ReadAllBytes(rig.ConfigPath));
        Assert.False(File.Exists(ConfigFileWriter.LastGoodPath(rig.ConfigPath)));
        Assert.False(rig.Restart.Requested);
        Assert.Equal("conflict", (string?)Assert.Single(rig.Audit.Read())["result"]);
        Assert.Equal("rejected", (string?)JsonNode.Parse(Assert.Single(rig.DrainEvents(), e => e.Type == "config.applied").DataJson)!["result"]);
    }

    [Fact]
    public async Task An_invalid_change_is_refused_with_each_error_at_its_path_and_leaves_file_and_running_components_alone()
    {
        var (rig, meter) = await StartAsync();
        await using var _ = rig;
        await using var __ = meter;
        var bytes = File.ReadAllBytes(rig.ConfigPath);
        var running = rig.Running.Current;
        var modbus = rig.Live.ServicesOf(LiveComponents.Modbus);
        var patch = JsonNode.Parse($$"""
            { "devices": [ { "id": "water-1", "type": "modbus", "endpoint": "tcp://127.0.0.1:{{meter.Port}}", "unitId": 1, "pollMs": -5,
                             "points": [ { "name": "flow_total", "table": "holding", "address": 0, "type": "float" } ] } ] }
            """)!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch));

        Assert.Equal(ConfigApplyOutcome.Rejected, result.Outcome);
        Assert.Contains(result.Errors, e => e.Path == "devices[0].pollMs");
        Assert.Contains(result.Errors, e => e.Path == "devices[0].points[0].type");
        Assert.Equal(bytes, File.ReadAllBytes(rig.ConfigPath));
        Assert.Same(running, rig.Running.Current);
        Assert.Same(modbus, rig.Live.ServicesOf(LiveComponents.Modbus)); // not even restarted
        var line = Assert.Single(rig.Audit.Read());
        Assert.Equal("rejected", (string?)line["result"]);
        Assert.Contains(line["errors"]!.AsArray(), e => (string?)e!["path"] == "devices[0].pollMs");
        var reply = result.ToJson();
        Assert.False((bool)reply["applied"]!);
        Assert.Contains(reply["errors"]!.AsArray(), e => (string?)e!["path"] == "devices[0].points[0].type");
    }

    [Fact]
    public async Task A_device_that_is_offline_after_the_change_rolls_it_back_to_the_previous_file_and_drivers()
    {
        var (rig, meter) = await StartAsync();
        await using var _ = rig;
        await using var __ = meter;
        var bytes = File.ReadAllBytes(rig.ConfigPath);
        var before = rig.Running.Current.Version;
        var deadPort = Net.FreePort(); // nothing listens: connection refused
        var patch = JsonNode.Parse($$"""{ "devices": [ {{Meter("water-1", meter.Port)}}, {{Meter("water-2", deadPort)}} ] }""")!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch),
            beforeWindowEnds: () => rig.Drivers.GetStatus().Any(s => s.DeviceId == "water-2" && s.Health == DeviceHealth.Offline));

        Assert.Equal(ConfigApplyOutcome.RolledBack, result.Outcome);
        Assert.True(result.RolledBack);
        Assert.Equal(before, result.Version);
        var problem = Assert.Single(result.Errors);
        Assert.Equal("devices[1]", problem.Path);
        Assert.Contains("water-2", problem.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(rig.ConfigPath)); // the previous file is back
        Assert.Equal(before, rig.Running.Current.Version);
        Assert.Equal(["water-1"], rig.Drivers.GetStatus().Select(s => s.DeviceId)); // and running
        Assert.True((bool)result.ToJson()["rolledBack"]!);
        Assert.Equal("rolled-back", (string?)Assert.Single(rig.Audit.Read())["result"]);
        Assert.Equal("rolled-back", (string?)JsonNode.Parse(Assert.Single(rig.DrainEvents(), e => e.Type == "config.applied").DataJson)!["result"]);
    }

    [Fact]
    public async Task A_component_that_faults_in_the_health_window_rolls_the_change_back()
    {
        // The time group replaced by a source that fails on one server name: a component that starts, then faults.
        var groups = LiveComponents.Registrations
            .Select(g => g.Key == LiveComponents.Time
                ? new KeyValuePair<string, Action<IServiceCollection, GatewayOptions>>(g.Key, (s, o) => s.AddSingleton<IHostedService>(new FaultingTimeSource(o.Time.NtpServers)))
                : g)
            .ToList();
        var (rig, meter) = await StartAsync(groups);
        await using var _ = rig;
        await using var __ = meter;
        var bytes = File.ReadAllBytes(rig.ConfigPath);
        var patch = JsonNode.Parse("""{ "time": { "ntpServers": ["ntp.fails.invalid"] } }""")!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch),
            beforeWindowEnds: () => rig.Live.StatesOf([LiveComponents.Time]).Any(s => s.ConsecutiveFailures > 0));

        Assert.Equal(ConfigApplyOutcome.RolledBack, result.Outcome);
        Assert.Equal("time", result.Restarted);
        Assert.Contains("NTP server unreachable", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(rig.ConfigPath));
        var state = Assert.Single(rig.Live.StatesOf([LiveComponents.Time]));
        Assert.Equal(0, state.ConsecutiveFailures); // the previous configuration runs again, healthy
    }

    [Fact]
    public async Task A_section_the_components_cannot_take_live_restarts_the_host_after_the_reply_and_the_audit_masks_secrets()
    {
        var (rig, meter) = await StartAsync();
        await using var _ = rig;
        await using var __ = meter;
        const string NewSecret = "n3w-Passphrase-99";
        var patch = JsonNode.Parse($$"""{ "mqtt": { "password": "{{NewSecret}}" } }""")!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch), actor: ConfigActor.CityBrain);

        Assert.True(result.Applied);
        Assert.Equal("host", result.Restarted);
        Assert.Equal(NewSecret, (string?)rig.FileDocument()["mqtt"]!["password"]);
        Assert.True(rig.Restart.Requested);
        Assert.Equal(result.Version, rig.Restart.Pending!.Version);
        Assert.False(rig.Lifetime.ApplicationStopping.IsCancellationRequested); // the reply goes out first
        rig.Clock.Advance(HostRestart.Grace);
        Assert.True(rig.Lifetime.ApplicationStopping.IsCancellationRequested);

        var auditText = File.ReadAllText(rig.Audit.Path);
        Assert.DoesNotContain(Secret, auditText, StringComparison.Ordinal);
        Assert.DoesNotContain(NewSecret, auditText, StringComparison.Ordinal);
        var line = JsonNode.Parse(auditText.Trim())!;
        Assert.Equal("city-brain", (string?)line["by"]);
        Assert.Equal("mqtt", (string?)line["via"]);
        Assert.Equal("host", (string?)line["restarted"]);
        var change = Assert.Single(line["diff"]!.AsArray());
        Assert.Equal("mqtt.password", (string?)change!["path"]);
        Assert.Equal("***", (string?)change["old"]);
        Assert.Equal("***", (string?)change["new"]);
        Assert.StartsWith("2026-11-29T12:00:", (string?)line["ts"], StringComparison.Ordinal); // the applier's clock

        // While the host restarts for it, nothing else may interleave.
        var next = await rig.ApplyAsync(ConfigChange.MergePatch(JsonNode.Parse("""{ "node": { "site": "x" } }""")!.AsObject()));
        Assert.False(next.Applied);
    }

    [Fact]
    public async Task A_crash_between_writing_and_renaming_leaves_the_old_file_whole_and_the_change_refused()
    {
        var (rig, meter) = await StartAsync(writer: new CrashBeforeRename());
        await using var _ = rig;
        await using var __ = meter;
        var bytes = File.ReadAllBytes(rig.ConfigPath);
        var patch = JsonNode.Parse("""{ "devices": [] }""")!.AsObject();

        var result = await rig.ApplyAsync(ConfigChange.MergePatch(patch));

        Assert.Equal(ConfigApplyOutcome.Rejected, result.Outcome);
        Assert.Contains("power cut", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(rig.ConfigPath));
        // The new content reached the disk only as the temporary file, which the next write replaces.
        Assert.Empty(JsonNode.Parse(File.ReadAllText(rig.ConfigPath + ".tmp"))!["devices"]!.AsArray());
        new ConfigFileWriter().WriteAtomically(rig.ConfigPath, "{}"u8);
        Assert.Equal("{}", File.ReadAllText(rig.ConfigPath));
        Assert.False(File.Exists(rig.ConfigPath + ".tmp"));
    }

    [Fact]
    public void Change_requests_are_read_from_config_set_args_and_put_bodies_alike()
    {
        Assert.True(ConfigChange.TryParse(JsonNode.Parse("""{ "patch": { "a": 1 }, "baseVersion": "v1" }""")!.AsObject(), out var patch, out _));
        Assert.Equal("v1", patch!.BaseVersion);
        Assert.NotNull(patch.Patch);
        Assert.True(ConfigChange.TryParse(JsonNode.Parse("""{ "config": { "a": 1 }, "version": "v2" }""")!.AsObject(), out var whole, out _));
        Assert.Equal("v2", whole!.BaseVersion);
        Assert.NotNull(whole.Config);
        Assert.False(ConfigChange.TryParse(JsonNode.Parse("""{ "config": {}, "patch": {} }""")!.AsObject(), out _, out var both));
        Assert.Contains("not both", both!.Message, StringComparison.Ordinal);
        Assert.False(ConfigChange.TryParse(JsonNode.Parse("""{ "patch": [1] }""")!.AsObject(), out _, out var array));
        Assert.Equal("patch", array!.Path);
        Assert.False(ConfigChange.TryParse(JsonNode.Parse("""{ "patch": {}, "baseVersion": 7 }""")!.AsObject(), out _, out var number));
        Assert.Equal("baseVersion", number!.Path);
        Assert.False(ConfigChange.TryParse(null, out _, out _));
    }

    private sealed class CrashBeforeRename : ConfigFileWriter
    {
        protected override void BeforeRename(string tempPath, string targetPath)
        {
            if (!targetPath.EndsWith(LastGoodSuffix, StringComparison.Ordinal))
            {
                throw new IOException("power cut (simulated) before the rename");
            }
        }
    }

    /// <summary>A stand-in time source: runs until stopped, or fails at once when told to ask a server that is not there.</summary>
    private sealed class FaultingTimeSource(IList<string> servers) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            if (servers.Contains("ntp.fails.invalid"))
            {
                throw new IOException("NTP server unreachable: ntp.fails.invalid");
            }
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
