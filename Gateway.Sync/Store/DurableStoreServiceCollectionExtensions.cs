using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Store;

public static class DurableStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the durable store: <see cref="IRecordStore"/> (ingest), <see cref="IOutbox"/>
    /// (forwarder) and <see cref="IClockSync"/> (time sources), one instance, opened at host
    /// start from <c>IOptions&lt;StorageOptions&gt;</c> and flushed and closed at stop. When an
    /// <see cref="IngestQueue"/> is registered (the Host's, which the drivers publish to), the
    /// store's writer drains it into its transactions. Uses the
    /// registered <see cref="TimeProvider"/> (the system clock when none is).
    /// </summary>
    public static IServiceCollection AddDurableStore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // Bad options stop the host at start with the key's path (StorageOptionsValidator).
        services.AddOptions<StorageOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton<IClockSync>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new ClockSync(options.ClockFloor, options.RequireTimeSync, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(sp => SqliteRecordStore.Open(
            StoreSettings.From(sp.GetRequiredService<IOptions<StorageOptions>>().Value),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IClockSync>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("Gateway.Sync.Store") ?? NullLogger.Instance,
            sp.GetService<IngestQueue>()));
        services.TryAddSingleton<IRecordStore>(sp => sp.GetRequiredService<SqliteRecordStore>());
        services.TryAddSingleton<IOutbox>(sp => sp.GetRequiredService<SqliteRecordStore>());
        services.TryAddSingleton<ILastStateEvents>(sp => sp.GetRequiredService<SqliteRecordStore>());
        services.AddHostedService<DurableStoreLifetime>();
        return services;
    }

    /// <summary>As <see cref="AddDurableStore(IServiceCollection)"/>, with the options given here.</summary>
    public static IServiceCollection AddDurableStore(this IServiceCollection services, Action<StorageOptions> configure)
    {
        services.Configure(configure);
        return services.AddDurableStore();
    }
}
