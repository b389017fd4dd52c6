using System.Text.Json.Nodes;
using Gateway.Contracts;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Host.ConfigApply;

/// <summary>The health check a new host runs for the change it was restarted for.</summary>
public class PendingApplyCheckTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_component_failing_in_the_window_restores_the_previous_file_and_restarts_the_host_to_report_it()
    {
        await using var rig = await Rig.CreateAsync(rolledBackBecause: null);
        rig.Supervision.Add("mqtt-connection-supervisor", critical: true).Failed(1, new IOException("connection refused"), TimeSpan.FromSeconds(1));

        await rig.Check.StartAsync(CancellationToken.None);
        await rig.Time.WaitForTimersAsync(1);
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.HoldsAsync(() => rig.Restart.Requested, () => "a restart on the previous file");

        Assert.Equal(Rig.PreviousText, File.ReadAllText(rig.ConfigPath));
        var problem = Assert.Single(rig.Restart.Pending!.RolledBackBecause!);
        Assert.Contains("mqtt-connection-supervisor", problem.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", problem.Message, StringComparison.Ordinal);
        await rig.Check.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Components_that_run_through_the_window_keep_the_change()
    {
        await using var rig = await Rig.CreateAsync(rolledBackBecause: null);
        rig.Supervision.Add("uplink-forwarder", critical: true);

        await rig.Check.StartAsync(CancellationToken.None);
        await rig.Time.WaitForTimersAsync(1);
        rig.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(rig.Restart.Requested);
        rig.Supervision.Add("late", critical: false); // healthy too
        rig.Time.Advance(TimeSpan.FromSeconds(1));
        await rig.Check.StopAsync(CancellationToken.None);

        Assert.False(rig.Restart.Requested);
        Assert.Equal(Rig.NewText, File.ReadAllText(rig.ConfigPath));
        Assert.Empty(rig.Audit.Read());
    }

    [Fact]
    public async Task The_host_running_the_restored_file_records_the_rollback()
    {
        await using var rig = await Rig.CreateAsync(rolledBackBecause: [new ConfigError("", "cannot open the store")]);

        await rig.Check.StartAsync(CancellationToken.None);
        await rig.Check.StopAsync(CancellationToken.None);

        var line = Assert.Single(rig.Audit.Read());
        Assert.Equal("rolled-back", (string?)line["result"]);
        Assert.Equal("host", (string?)line["restarted"]);
        Assert.Equal("cannot open the store", (string?)line["errors"]![0]!["message"]);
        Assert.True(rig.Queue.Reader.TryRead(out var record));
        Assert.Equal("config.applied", record.Event!.Type);
        var data = JsonNode.Parse(record.Event.DataJson)!;
        Assert.Equal("rolled-back", (string?)data["result"]);
        Assert.Equal(rig.Running.Current.Version, (string?)data["version"]);
        Assert.Equal("city-brain", (string?)data["by"]);
    }

    private sealed class Rig : IAsyncDisposable
    {
        public const string PreviousText = """{ "node": { "id": "pole-old" }, "storage": { "path": "data/buffer.db" }, "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] }, "host": { "applyHealthSeconds": 5 } }""";
        public const string NewText = """{ "node": { "id": "pole-new" }, "storage": { "path": "data/buffer.db" }, "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] }, "host": { "applyHealthSeconds": 5 } }""";

        private readonly TempDirectory _dir = new("gw-pending-apply");
        private readonly FakeLifetime _lifetime = new();

        public WatchedFakeTime Time { get; } = new(Start);

        public string ConfigPath => _dir.File("gateway.json");

        public ComponentSupervision Supervision { get; private set; } = null!;

        public HostRestart Restart { get; private set; } = null!;

        public RunningConfiguration Running { get; private set; } = null!;

        public ConfigAuditLog Audit { get; private set; } = null!;

        public IngestQueue Queue { get; } = new(100);

        public PendingApplyCheck Check { get; private set; } = null!;

        public static async Task<Rig> CreateAsync(IReadOnlyList<ConfigError>? rolledBackBecause)
        {
            var rig = new Rig();
            await File.WriteAllTextAsync(ConfigFileWriter.LastGoodPath(rig.ConfigPath), PreviousText);
            await File.WriteAllTextAsync(rig.ConfigPath, NewText);
            var loaded = GatewayConfigLoader.LoadFile(rig.ConfigPath, []);
            Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
            rig.Supervision = new ComponentSupervision(rig.Time);
            rig.Restart = new HostRestart(rig._lifetime, rig.Time);
            rig.Running = RunningConfiguration.FromFile(rig.ConfigPath, loaded.Document!, loaded.Options!);
            rig.Audit = new ConfigAuditLog(rig._dir.File("audit.jsonl"), rig.Time);
            var pending = new PendingConfigApply(ConfigActor.CityBrain, "0000000000000000", rig.Running.Current.Version, [])
            {
                RolledBackBecause = rolledBackBecause,
            };
            rig.Check = new PendingApplyCheck(pending, rig.Supervision, rig.Running, new ConfigFileWriter(), rig.Audit, rig.Queue, rig.Restart, rig.Time,
                NullLogger<PendingApplyCheck>.Instance);
            return rig;
        }

        public ValueTask DisposeAsync()
        {
            Check.Dispose();
            Restart.Dispose();
            _lifetime.Dispose();
            _dir.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
