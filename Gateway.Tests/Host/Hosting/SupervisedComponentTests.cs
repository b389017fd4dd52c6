using System.Text.Json.Nodes;
using Gateway.Host.Hosting;
using Gateway.Sync;
using Gateway.Sync.RemoteCommands;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Host.Hosting;

public sealed class SupervisedComponentTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    // uniform() = 0.5 puts every wait at 3/4 of its ceiling: 0.75 s, 1.5 s, 3 s, 6 s, …
    private static readonly SupervisionPolicy Policy = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 5);

    [Fact]
    public async Task A_failing_component_is_restarted_after_its_backoff_shows_in_status_and_is_logged_once_per_streak()
    {
        var time = new FakeTimeProvider(Start);
        var crash = new TaskCompletionSource();
        using var component = new Flaky(async (run, ct) =>
        {
            await Task.Yield();
            if (run <= 3)
            {
                throw new InvalidOperationException($"boom {run}");
            }
            await crash.Task.WaitAsync(ct);
        });
        var supervision = new ComponentSupervision(time);
        var logger = new CapturingLogger<SupervisedComponent>();
        using var lifetime = new FakeLifetime();
        using var supervised = new SupervisedComponent(component, critical: false, supervision, Policy, () => 0.5, time, lifetime, logger);
        await supervised.StartAsync(CancellationToken.None);
        var state = Assert.Single(supervision.Components);

        await WaitForAsync(() => state.State == "restarting" && state.ConsecutiveFailures == 1);
        var json = (JsonArray)supervision.Read()!;
        var entry = Assert.Single(json)!;
        Assert.Equal("flaky", (string?)entry["name"]);
        Assert.Equal("restarting", (string?)entry["state"]);
        Assert.Equal("InvalidOperationException: boom 1", (string?)entry["lastError"]);
        Assert.Equal("2026-11-29T12:00:00.750Z", (string?)entry["restartAt"]);
        Assert.False((bool)entry["critical"]!);

        time.Advance(TimeSpan.FromMilliseconds(749));
        await Task.Delay(50);
        Assert.Equal(1, component.Runs); // not before its back-off
        time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => state.ConsecutiveFailures == 2 && state.State == "restarting");
        Assert.Equal(2, component.Runs);
        time.Advance(TimeSpan.FromMilliseconds(1500)); // doubled
        await WaitForAsync(() => state.ConsecutiveFailures == 3 && state.State == "restarting");
        time.Advance(TimeSpan.FromSeconds(3));
        await WaitForAsync(() => component.Runs == 4 && state.State == "running");

        entry = ((JsonArray)supervision.Read()!)[0]!;
        Assert.Equal(3, (int)entry["consecutiveFailures"]!); // still in its streak until it has run a while
        Assert.Equal(3, (long)entry["failures"]!);
        Assert.Equal("InvalidOperationException: boom 3", (string?)entry["lastError"]);
        time.Advance(Policy.HealthyAfter);
        await WaitForAsync(() => state.ConsecutiveFailures == 0);

        var errors = logger.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        var error = Assert.Single(errors); // three failures, one streak, one line
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Equal("boom 1", error.Exception?.Message);
        Assert.Contains(logger.Entries, e => e.Message.Contains("running again after 3 failure(s)", StringComparison.Ordinal));

        // A new streak after a healthy run: logged again, and the back-off starts afresh.
        crash.SetException(new IOException("bus gone"));
        await WaitForAsync(() => state.State == "restarting");
        Assert.Equal(2, logger.Entries.Count(e => e.Level >= LogLevel.Warning));
        Assert.Equal("bus gone", logger.Entries.Last(e => e.Level >= LogLevel.Warning).Exception?.Message);
        Assert.Equal(1, state.ConsecutiveFailures);
        entry = ((JsonArray)supervision.Read()!)[0]!;
        Assert.Equal(4, (long)entry["failures"]!);
        Assert.Equal(RecordJson.FormatTimestamp(time.GetUtcNow() + TimeSpan.FromMilliseconds(750)), (string?)entry["restartAt"]);

        await supervised.StopAsync(CancellationToken.None);
        Assert.Equal(0, supervision.ExitCode);
        Assert.False(lifetime.Stopping.IsCancellationRequested);
    }

    [Fact]
    public async Task A_critical_component_that_keeps_failing_ends_the_host_with_exit_code_70()
    {
        var time = new FakeTimeProvider(Start);
        var logger = new CapturingLogger<SupervisedComponent>();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ILogger<SupervisedComponent>>(logger);
        builder.Services.AddSingleton(new Flaky((run, _) => Task.FromException(new InvalidOperationException($"uplink broken {run}"))));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Flaky>());
        builder.Services.SuperviseHostedServices(new HashSet<string> { "flaky" }, Policy, () => 0.5);
        using var host = builder.Build();
        var supervision = host.Services.GetRequiredService<ComponentSupervision>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        var running = host.RunAsync();
        var component = host.Services.GetRequiredService<Flaky>();
        var state = await WaitForAsync(() => supervision.Components.SingleOrDefault());
        Assert.True(state.Critical);
        // 0.75 + 1.5 + 3 + 6 s of back-off between five failures
        var failures = 0;
        foreach (var wait in new[] { 0.75, 1.5, 3, 6 })
        {
            failures++;
            await WaitForAsync(() => state.State == "restarting" && state.ConsecutiveFailures == failures);
            Assert.Equal(failures, component.Runs);
            Assert.False(running.IsCompleted);
            time.Advance(TimeSpan.FromSeconds(wait));
        }
        await WaitForAsync(() => state.State == "failed", () => $"{state.ToJson()} runs {component.Runs}");
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested, "not stopping");
        await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(5, component.Runs);
        Assert.Equal(SupervisionPolicy.ExitCode, supervision.ExitCode);
        Assert.Equal(70, SupervisionPolicy.ExitCode);
        Assert.Equal("failed", state.State);
        Assert.Equal(5, state.ConsecutiveFailures);
        var lines = logger.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        Assert.Equal([LogLevel.Error, LogLevel.Critical], lines.Select(e => e.Level));
        Assert.Contains("uplink broken 5", lines[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_component_that_finishes_its_work_is_not_restarted()
    {
        var time = new FakeTimeProvider(Start);
        using var component = new Flaky((_, _) => Task.CompletedTask);
        var supervision = new ComponentSupervision(time);
        using var lifetime = new FakeLifetime();
        using var supervised = new SupervisedComponent(component, critical: true, supervision, Policy, () => 0.5, time, lifetime, new CapturingLogger<SupervisedComponent>());
        await supervised.StartAsync(CancellationToken.None);
        var state = Assert.Single(supervision.Components);
        await WaitForAsync(() => state.State == "completed");
        time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(50);
        Assert.Equal(1, component.Runs);
        Assert.Equal(0, state.ConsecutiveFailures);
        await supervised.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Restarts_wait_between_half_and_all_of_a_ceiling_doubling_from_one_second_to_a_minute()
    {
        var policy = SupervisionPolicy.Default;
        var low = new ReconnectBackoff(policy.FirstBackoff, policy.MaxBackoff, SupervisionPolicy.UpperHalf(() => 0));
        var high = new ReconnectBackoff(policy.FirstBackoff, policy.MaxBackoff, SupervisionPolicy.UpperHalf(() => 0.999_999));
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(0, 8).Select(n => low.Ceiling(n).TotalSeconds));
        Assert.Equal(TimeSpan.FromMilliseconds(500), low.Next(0));
        Assert.Equal(TimeSpan.FromSeconds(30), low.Next(100));
        Assert.InRange(high.Next(0), TimeSpan.FromMilliseconds(999), TimeSpan.FromSeconds(1));
        Assert.InRange(high.Next(100), TimeSpan.FromSeconds(59.99), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void The_gateways_critical_components_are_named_as_the_supervisor_names_them()
    {
        // Guards the names against a rename of the Sync types: a name that matches nothing makes nothing critical.
        Assert.Equal(
            new HashSet<string> { SupervisedComponent.NameOf(typeof(MqttConnectionSupervisor)), SupervisedComponent.NameOf(typeof(UplinkForwarder)) },
            GatewayHost.CriticalComponents);
        Assert.Equal("mqtt-connection-supervisor", SupervisedComponent.NameOf(typeof(MqttConnectionSupervisor)));
        Assert.Equal("pole-sensor", SupervisedComponent.NameOf(typeof(Gateway.Drivers.Pole.PoleSensorService)));
    }

    [Fact]
    public void The_gateway_host_puts_every_hosted_service_under_supervision()
    {
        using var dir = new TempDirectory("gw-supervise");
        var config = dir.File("gateway.json");
        File.WriteAllText(config, $$"""
            { "node": { "id": "sup-test" }, "storage": { "path": "{{dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1"] } }
            """);
        var loaded = Gateway.Host.Configuration.GatewayConfigLoader.LoadFile(config, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        using var host = GatewayHost.Build(loaded.Options!, config, loaded.Warnings, loaded.Document!);

        var hosted = host.Services.GetServices<IHostedService>().ToList();
        Assert.NotEmpty(hosted);
        Assert.All(hosted, h => Assert.IsType<SupervisedComponent>(h));
        Assert.Contains(host.Services.GetServices<IStatusSection>(), s => s is ComponentSupervision);
        // The originals stay registered, keyed, one a supervisor: what the supervisors run.
        var originals = host.Services.GetKeyedServices<IHostedService>(KeyedService.AnyKey).ToList();
        Assert.Equal(hosted.Count, originals.Count);
        Assert.Contains(originals, o => o is MqttConnectionSupervisor);
        Assert.Contains(originals, o => o is UplinkForwarder);
    }

    [Fact]
    public async Task The_status_command_reply_carries_the_components()
    {
        using var dir = new TempDirectory("gw-supervise");
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddDurableStore(o => o.Path = dir.File("buffer.db"));
        services.Configure<MqttOptions>(o => o.Brokers = ["mqtt://127.0.0.1:1883"]);
        services.AddCityBrainUplink(_ => new NodeIdentity("pole-1", "1.0.0"));
        services.AddSingleton<ComponentSupervision>();
        services.AddSingleton<IStatusSection>(sp => sp.GetRequiredService<ComponentSupervision>());
        await using var provider = services.BuildServiceProvider();
        var supervision = provider.GetRequiredService<ComponentSupervision>();
        supervision.Add("driver-output-pump", critical: false).Failed(2, new IOException("disk full"), TimeSpan.FromSeconds(1.5));

        var status = provider.GetServices<ICommandHandler>().Single(h => h.Name == "status");
        var reply = (JsonObject)(await status.HandleAsync(null, CancellationToken.None))!;

        var component = Assert.Single((JsonArray)reply["components"]!)!;
        Assert.Equal("driver-output-pump", (string?)component["name"]);
        Assert.Equal("restarting", (string?)component["state"]);
        Assert.Equal(2, (int)component["consecutiveFailures"]!);
        Assert.Equal("IOException: disk full", (string?)component["lastError"]);
        Assert.NotNull(reply["uplink"]); // beside the sections Sync knows itself
    }

    private static async Task WaitForAsync(Func<bool> condition, Func<string>? state = null)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(5);
        }
        Assert.True(condition(), $"condition not reached within 5 s; {state?.Invoke()}");
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> value)
        where T : class
    {
        T? result = null;
        await WaitForAsync(() => (result = value()) is not null);
        return result!;
    }

    /// <summary>A component whose n-th run (from 1) does what the test says.</summary>
    private sealed class Flaky(Func<int, CancellationToken, Task> run) : BackgroundService
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        protected override Task ExecuteAsync(CancellationToken stoppingToken) => run(Interlocked.Increment(ref _runs), stoppingToken);
    }
}
