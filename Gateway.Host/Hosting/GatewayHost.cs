using Gateway.Drivers.Abstractions;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Pole;
using System.Text.Json.Nodes;
using Gateway.Host.RemoteCommands;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Gateway.Host.Pipeline;
using Gateway.Host.Web;
using Gateway.Simulation;
using Gateway.Simulation.Pole;
using Gateway.Sync.RemoteCommands;
using Gateway.Sync.Store;
using Gateway.Sync.Time;
using Gateway.Sync.Uplink;
using System.Diagnostics.CodeAnalysis;
using Gateway.Inference;
using Gateway.Inference.Analytics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Hosting;

/// <summary>Composes the gateway: the generic host, logging, options and every component.</summary>
public static class GatewayHost
{
    public static IHost Build(GatewayOptions options, string configPath, IReadOnlyList<ConfigError> warnings, JsonObject effectiveConfig, bool demo = false, PendingConfigApply? pendingApply = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true, // no appsettings.json or implicit providers: one configuration file, validated
            ContentRootPath = Directory.GetCurrentDirectory(),
            ApplicationName = "edge-gateway",
        });

        builder.Logging.AddGatewayConsole(options.Logging.Level);
        // No BackgroundServiceExceptionBehavior: the host never sees a component's fault, its supervisor does.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.Host.ShutdownSeconds));

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddGatewayOptions(options, configPath, warnings, effectiveConfig);
        builder.Services.AddHostedService<ShutdownWatchdog>();
        builder.Services.AddHostedService<NodeLifecycleService>();
        builder.Services.AddHostedService<StoreWriteWatch>();
        builder.Services.AddGatewayComponents(options, configPath, demo);
        if (pendingApply is not null)
        {
            // This host runs a configuration change that needed a restart: it checks that change's health.
            builder.Services.AddSingleton(pendingApply);
            builder.Services.AddHostedService<PendingApplyCheck>();
            if (pendingApply.WebSessions is { } sessions)
            {
                builder.Services.AddSingleton(sessions); // after AddTechnicianWeb's: the last registration wins
            }
        }
        builder.Services.AddSystemdNotify();
        builder.Services.SuperviseHostedServices(CriticalComponents);
        builder.Services.AddSingleton<IStatusSection>(sp => sp.GetRequiredService<ComponentSupervision>());
        return builder.Build();
    }

    /// <summary>
    /// The components the node is useless without: the MQTT connection and the forwarder that feeds
    /// it. Failing <see cref="SupervisionPolicy.CriticalFailureLimit"/> times in a row, they end the
    /// process (exit <see cref="SupervisionPolicy.ExitCode"/>) for systemd to start afresh.
    /// </summary>
    internal static readonly IReadOnlySet<string> CriticalComponents = new HashSet<string>(StringComparer.Ordinal)
    {
        "mqtt-connection-supervisor",
        "uplink-forwarder",
    };

    /// <summary>
    /// The components, in start order (they stop in reverse): the store first, so that it opens
    /// before anything writes and closes after everything stopped writing; then the uplink, then
    /// the drivers, whose output goes into the store.
    /// </summary>
    private static IServiceCollection AddGatewayComponents(this IServiceCollection services, GatewayOptions options, string configPath, bool demo)
    {
        // The one queue from the drivers into the store's writer: both sides get this instance.
        var driverOutput = new DriverOutputOptions();
        services.AddSingleton(new IngestQueue(driverOutput.ReadingCapacity + driverOutput.EventCapacity));
        services.AddDurableStore();
        services.AddCityBrainUplink(_ => new NodeIdentity(options.Node.Id, GatewayRunInfo.Version, options.Node.Site));
        services.AddSingleton<ICommandHandler, ConfigGetCommand>();
        services.AddConfigApply();
        services.AddDriverOutput();
        services.AddTechnicianWeb(options); // wraps the drivers' output with the page's latest-values tap
        services.AddPublishedStateReconciler(); // outermost: the platform's last word on a device survives restarts
        services.AddSingleton<ITimeFixSink, GnssClockSink>();
        if (demo)
        {
            services.AddPoleDemoHardware(); // simulated chip, I2C bus and serial sensors behind the real drivers
        }
        // sim:NAME chips and ports resolve in memory in any configuration, as they always have.
        services.AddSimulatedHardware();
        // Time sources, Modbus and pole drivers: restartable alone when their sections change (ConfigApply).
        services.AddLiveComponents();
        services.AddCameraOptions(o => ComponentOptions.Cameras(options, o));
        services.AddNodeHealth(options.Health);
        services.AddOnNodeInference(o => ComponentOptions.Inference(options, o));
        services.AddCameraPipeline(Path.GetDirectoryName(Path.GetFullPath(configPath)));
        // Open litter items are kept beside the store, so a restart never reports one object twice.
        services.AddCameraAnalytics(o => o.StateDirectory = Path.GetDirectoryName(Path.GetFullPath(options.Storage.Path))!);
        return services;
    }

    private static IServiceCollection AddGatewayOptions(this IServiceCollection services, GatewayOptions options, string configPath, IReadOnlyList<ConfigError> warnings, JsonObject effectiveConfig)
    {
        services.AddSingleton(options);
        services.AddSingleton(new GatewayRunInfo(Path.GetFullPath(configPath), warnings, effectiveConfig));
        services.AddSingleton(Options.Create(options.Node));
        // Through the options factory, not Options.Create: the components' validators see these values at start.
        services.AddBoundOptions(options.Storage);
        services.AddBoundOptions(options.Mqtt);
        services.AddBoundOptions(options.Web).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebOptions>, WebOptionsValidator>());
        return services;
    }

    /// <summary>Options built by the factory (so validated) from a section already bound: its property values are copied.</summary>
    private static OptionsBuilder<T> AddBoundOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(this IServiceCollection services, T bound)
        where T : class
    {
        var properties = typeof(T).GetProperties().Where(p => p.CanRead && p.CanWrite).ToArray();
        return services.AddOptions<T>().Configure(o => Array.ForEach(properties, p => p.SetValue(o, p.GetValue(bound))));
    }

    /// <summary>
    /// One line per message. Under systemd (JOURNAL_STREAM set) each line carries its syslog
    /// priority prefix so journald records the level; elsewhere lines start with a UTC timestamp.
    /// </summary>
    public static ILoggingBuilder AddGatewayConsole(this ILoggingBuilder logging, string level)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(Enum.Parse<LogLevel>(level));
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null)
        {
            logging.AddSystemdConsole(o => o.TimestampFormat = null);
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        return logging;
    }
}

/// <summary>Facts about this run that components may report (health, status replies).</summary>
/// <param name="EffectiveConfig">The configuration document in force (file + environment overrides), secrets included: redact before showing it.</param>
public sealed record GatewayRunInfo(string ConfigPath, IReadOnlyList<ConfigError> Warnings, JsonObject EffectiveConfig)
{
    public static string Version { get; } =
        typeof(GatewayRunInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
