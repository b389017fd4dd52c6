using Gateway.Contracts;
using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Gpio;
using Gateway.Drivers.I2c;
using Gateway.Drivers.Pole;
using Gateway.Drivers.Sensors;
using Gateway.Host.Configuration;
using Gateway.Sync.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Hosting;

/// <summary>
/// Components that one part of the configuration alone decides (the Modbus drivers: <c>devices</c>
/// of type modbus and <c>buses</c>), composed in a container of their own so that a configuration
/// change can stop, rebuild and start just them while the store, the uplink and everything else keep
/// running. What they share with the host — the clock, logging, the one <see cref="IngestQueue"/> and the drivers' output over it,
/// the store's clock, the supervision and the hardware sources — is handed in as the host's instances.
/// Their hosted services run under <see cref="SupervisedComponent"/> like the host's.
/// </summary>
internal sealed class LiveComponentGroup(string name, Action<IServiceCollection, GatewayOptions> register, IServiceProvider host) : IAsyncDisposable
{
    private ServiceProvider? _services;
    private List<IHostedService> _started = [];

    public string Name => name;

    /// <summary>The running container (null while stopped): where the group's services are resolved.</summary>
    public IServiceProvider? Services => _services;

    /// <summary>The supervised states of the group's running components.</summary>
    public IReadOnlyList<ComponentState> States =>
        [.. _started.OfType<SupervisedComponent>().Select(s => s.State).OfType<ComponentState>()];

    /// <summary>Builds the group for <paramref name="options"/> and runs its option validators, without starting anything.</summary>
    public async Task ValidateAsync(GatewayOptions options)
    {
        await using var services = Compose(options);
        services.GetService<IStartupValidator>()?.Validate();
    }

    public async Task StartAsync(GatewayOptions options, CancellationToken cancellationToken)
    {
        if (_services is not null)
        {
            throw new InvalidOperationException($"component group {name} is running");
        }
        var services = Compose(options);
        _services = services;
        services.GetService<IStartupValidator>()?.Validate();
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(cancellationToken).ConfigureAwait(false);
            _started.Add(hosted);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_services is not { } services)
        {
            return;
        }
        var supervision = host.GetRequiredService<ComponentSupervision>();
        var states = States;
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(cancellationToken).ConfigureAwait(false);
        }
        _started = [];
        _services = null;
        await services.DisposeAsync().ConfigureAwait(false);
        foreach (var state in states)
        {
            supervision.Remove(state);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is { } services)
        {
            _services = null;
            await services.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ServiceProvider Compose(GatewayOptions options)
    {
        var services = new ServiceCollection();
        services.AddSingleton(host.GetRequiredService<ILoggerFactory>());
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(host.GetRequiredService<TimeProvider>());
        services.AddSingleton(host.GetRequiredService<IngestQueue>());
        services.AddSingleton(host.GetRequiredService<IHostApplicationLifetime>());
        services.AddSingleton(host.GetRequiredService<ComponentSupervision>());
        services.AddSingleton(host.GetRequiredService<IClockSync>());
        // The host's output (the IngestQueue's, or whatever wraps it there), not a new one per group.
        if (host.GetService<IDriverOutput>() is { } output)
        {
            services.AddSingleton(output);
        }
        if (host.GetService<ITimeFixSink>() is { } timeFixes)
        {
            services.AddSingleton(timeFixes);
        }
        foreach (var chips in host.GetServices<IGpioChipSource>())
        {
            services.AddSingleton(chips);
        }
        foreach (var buses in host.GetServices<II2cBusSource>())
        {
            services.AddSingleton(buses);
        }
        foreach (var ports in host.GetServices<ISerialPortSource>())
        {
            services.AddSingleton(ports);
        }
        register(services, options);
        services.SuperviseHostedServices(new HashSet<string>());
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = false });
    }
}
