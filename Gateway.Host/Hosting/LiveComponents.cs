using Gateway.Drivers.Modbus;
using Gateway.Drivers.Pole;
using Gateway.Host.Configuration;
using Gateway.Sync.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// The components a configuration change can restart alone, as <see cref="LiveComponentGroup"/>s:
/// <c>modbus</c> (Modbus devices and the buses), <c>pole-sensors</c> (GPIO, I2C and serial devices)
/// and <c>time</c> (kernel NTP state, NTP queries). Started where the host used to start the drivers
/// (after the store and the uplink, so stopped before them). Everything else in the configuration is
/// read once by the host: changing it means restarting the host (<see cref="HostRestart"/>).
/// </summary>
internal sealed class LiveComponents : IHostedService, IAsyncDisposable
{
    public const string Modbus = "modbus";
    public const string PoleSensors = "pole-sensors";
    public const string Time = "time";

    private readonly List<LiveComponentGroup> _groups;
    private readonly GatewayOptions _initial;
    private readonly ILogger<LiveComponents> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public LiveComponents(IServiceProvider host, GatewayOptions options, ILogger<LiveComponents> logger)
        : this(host, options, logger, Registrations)
    {
    }

    /// <summary>Test seam: other registrations for the groups (a component that faults on some options).</summary>
    internal LiveComponents(IServiceProvider host, GatewayOptions options, ILogger<LiveComponents> logger,
        IEnumerable<KeyValuePair<string, Action<IServiceCollection, GatewayOptions>>> groups)
    {
        _initial = options;
        _logger = logger;
        _groups = [.. groups.Select(g => new LiveComponentGroup(g.Key, g.Value, host))];
    }

    /// <summary>What each group runs, in start order.</summary>
    internal static IReadOnlyList<KeyValuePair<string, Action<IServiceCollection, GatewayOptions>>> Registrations { get; } =
    [
        new(Time, (s, o) => s.AddTimeSources(o.Time)),
        new(Modbus, (s, o) => s.AddModbusDrivers(m => ComponentOptions.Modbus(o, m))),
        new(PoleSensors, (s, o) => s.AddPoleSensors(p => ComponentOptions.PoleSensors(o, p))),
    ];

    public IReadOnlyList<string> Names => [.. _groups.Select(g => g.Name)];

    public IServiceProvider? ServicesOf(string name) => Group(name).Services;

    public IReadOnlyList<ComponentState> StatesOf(IEnumerable<string> names) =>
        [.. names.SelectMany(n => Group(n).States)];

    /// <summary>Runs every group's option validators for <paramref name="options"/> (what the host's start would), starting nothing.</summary>
    public async Task ValidateAsync(GatewayOptions options)
    {
        foreach (var group in _groups)
        {
            await group.ValidateAsync(options).ConfigureAwait(false);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var group in _groups)
        {
            await group.StartAsync(_initial, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = _groups.Count - 1; i >= 0; i--)
            {
                await _groups[i].StopAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops the named groups and starts them again on <paramref name="options"/>. A group whose
    /// start throws (its options refused, a constructor failing) stays stopped and the exception
    /// propagates: the caller restarts it on the previous options.
    /// </summary>
    public async Task RestartAsync(IReadOnlyCollection<string> names, GatewayOptions options, CancellationToken cancellationToken)
    {
        var groups = _groups.Where(g => names.Contains(g.Name)).ToList();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var i = groups.Count - 1; i >= 0; i--)
            {
                await groups[i].StopAsync(cancellationToken).ConfigureAwait(false);
            }
            foreach (var group in groups)
            {
                try
                {
                    await group.StartAsync(options, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.LiveGroupStartFailed(_logger, group.Name, e.Message);
                    await group.StopAsync(cancellationToken).ConfigureAwait(false);
                    throw;
                }
                Log.LiveGroupRestarted(_logger, group.Name);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var group in _groups)
        {
            await group.DisposeAsync().ConfigureAwait(false);
        }
        _gate.Dispose();
    }

    private LiveComponentGroup Group(string name) =>
        _groups.Find(g => g.Name == name) ?? throw new ArgumentException($"no live component group '{name}'", nameof(name));
}

internal static class LiveComponentsServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="LiveComponents"/> as a hosted service at this point of the start order, and the
    /// host-level driver interfaces (<see cref="LiveDrivers"/>) over it.
    /// </summary>
    public static IServiceCollection AddLiveComponents(this IServiceCollection services)
    {
        services.AddSingleton<LiveComponents>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveComponents>());
        services.AddSingleton<LiveDrivers>();
        services.AddSingleton<Gateway.Drivers.Modbus.Polling.IModbusDriverStatus>(sp => sp.GetRequiredService<LiveDrivers>());
        services.AddSingleton<IModbusWriter>(sp => sp.GetRequiredService<LiveDrivers>());
        services.AddSingleton<IModbusReader>(sp => sp.GetRequiredService<LiveDrivers>());
        services.AddSingleton<Gateway.Drivers.Gpio.IGpioOutputs>(sp => sp.GetRequiredService<LiveDrivers>());
        return services;
    }
}
