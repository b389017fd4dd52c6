using System.Text.Json.Nodes;
using Gateway.Contracts;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Host.ConfigApply;

/// <summary>
/// The apply path over real live component groups (Modbus drivers against an in-process server,
/// time sources, pole sensors on simulated hardware), without the store and the uplink: the events
/// are read straight from the <see cref="IngestQueue"/>. The components run on the system clock;
/// the applier's health window runs on <see cref="Clock"/>, which the test moves.
/// </summary>
internal sealed class ApplyRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ApplyRig(TempDirectory dir, string configPath, ServiceProvider services, WatchedFakeTime clock)
    {
        Dir = dir;
        ConfigPath = configPath;
        _services = services;
        Clock = clock;
    }

    public TempDirectory Dir { get; }

    public string ConfigPath { get; }

    public WatchedFakeTime Clock { get; }

    public FakeLifetime Lifetime => (FakeLifetime)_services.GetRequiredService<IHostApplicationLifetime>();

    public ConfigApplier Applier => _services.GetRequiredService<ConfigApplier>();

    public RunningConfiguration Running => _services.GetRequiredService<RunningConfiguration>();

    public LiveComponents Live => _services.GetRequiredService<LiveComponents>();

    public LiveDrivers Drivers => _services.GetRequiredService<LiveDrivers>();

    public ConfigAuditLog Audit => _services.GetRequiredService<ConfigAuditLog>();

    public HostRestart Restart => _services.GetRequiredService<HostRestart>();

    public IngestQueue Queue => _services.GetRequiredService<IngestQueue>();

    public static async Task<ApplyRig> StartAsync(string configJson,
        IEnumerable<KeyValuePair<string, Action<IServiceCollection, GatewayOptions>>>? groups = null, ConfigFileWriter? writer = null)
    {
        var dir = new TempDirectory("gw-apply");
        var path = dir.File("gateway.json");
        await File.WriteAllTextAsync(path, configJson);
        var loaded = GatewayConfigLoader.LoadFile(path, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var clock = new WatchedFakeTime(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new IngestQueue(100_000));
        services.AddSingleton<ComponentSupervision>();
        services.AddSingleton<IHostApplicationLifetime, FakeLifetime>();
        services.AddSingleton<IClockSync>(new ClockSync(DateTimeOffset.UnixEpoch, requireTimeSync: false));
        services.AddSingleton(loaded.Options!);
        services.AddSingleton(sp => new LiveComponents(sp, loaded.Options!, sp.GetRequiredService<ILogger<LiveComponents>>(), groups ?? LiveComponents.Registrations));
        services.AddSingleton<LiveDrivers>();
        services.AddSingleton(writer ?? new ConfigFileWriter());
        services.AddSingleton(new ConfigAuditLog(ConfigAuditLog.Beside(dir.File("data/buffer.db")), clock));
        services.AddSingleton(sp => new HostRestart(sp.GetRequiredService<IHostApplicationLifetime>(), clock));
        services.AddSingleton(RunningConfiguration.FromFile(path, loaded.Document!, loaded.Options!));
        services.AddSingleton(sp => new ConfigApplier(sp.GetRequiredService<RunningConfiguration>(), sp.GetRequiredService<ConfigFileWriter>(),
            sp.GetRequiredService<ConfigAuditLog>(), sp.GetRequiredService<IngestQueue>(), sp.GetRequiredService<LiveComponents>(),
            sp.GetRequiredService<HostRestart>(), clock, sp.GetRequiredService<ILogger<ConfigApplier>>(), environment: []));
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<LiveComponents>().StartAsync(CancellationToken.None);
        return new ApplyRig(dir, path, provider, clock);
    }

    /// <summary>
    /// Applies a change; when it reaches its health window (a timer on <see cref="Clock"/>), waits
    /// for <paramref name="beforeWindowEnds"/> (what the components must have done by then) and ends the window.
    /// </summary>
    public async Task<ConfigApplyResult> ApplyAsync(ConfigChange change, Func<bool>? beforeWindowEnds = null, ConfigActor? actor = null)
    {
        var timers = Clock.TimersCreated;
        var apply = Applier.ApplyAsync(change, actor ?? new ConfigActor("tester", ConfigActor.Web), CancellationToken.None);
        while (!apply.IsCompleted)
        {
            if (Clock.TimersCreated > timers)
            {
                timers = Clock.TimersCreated;
                if (beforeWindowEnds is not null)
                {
                    await Eventually.HoldsAsync(beforeWindowEnds, () => "the components to reach the state the test waits for");
                }
                Clock.Advance(TimeSpan.FromSeconds(Running.Current.Options.Host.ApplyHealthSeconds + 1));
            }
            await Task.WhenAny(apply, Task.Delay(5));
        }
        return await apply;
    }

    /// <summary>The events queued so far (the store would take them), removed from the queue.</summary>
    public List<GatewayEvent> DrainEvents()
    {
        var events = new List<GatewayEvent>();
        while (Queue.Reader.TryRead(out var record))
        {
            if (record.Event is { } e)
            {
                events.Add(e);
            }
        }
        return events;
    }

    public JsonObject FileDocument() => JsonNode.Parse(File.ReadAllText(ConfigPath))!.AsObject();

    public async ValueTask DisposeAsync()
    {
        await _services.GetRequiredService<LiveComponents>().StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        Dir.Dispose();
    }
}
