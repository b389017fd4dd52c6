using Microsoft.Extensions.Hosting;

namespace Gateway.Sync.Store;

/// <summary>Opens the store (integrity check included) at host start; flushes acknowledgements at stop.</summary>
internal sealed class DurableStoreLifetime(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = (SqliteRecordStore)services.GetService(typeof(SqliteRecordStore))!;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        ((SqliteRecordStore)services.GetService(typeof(SqliteRecordStore))!).FlushAcknowledgementsAsync(cancellationToken);
}
