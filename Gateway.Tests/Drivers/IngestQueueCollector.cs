using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Drivers;

/// <summary>
/// Stands where the store's writer stands in the product: the single reader of the shared
/// <see cref="IngestQueue"/>, here handing each record to a <see cref="CollectingDriverOutput"/>
/// in queue order, so driver tests see what the drivers published through the real queue.
/// </summary>
internal sealed class IngestQueueCollector(IngestQueue queue, CollectingDriverOutput sink) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var record in queue.Reader.ReadAllAsync(stoppingToken))
            {
                await (record.Event is { } e ? sink.PublishAsync(e, stoppingToken) : sink.PublishAsync(record.Reading, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

internal static class IngestQueueCollectorServiceCollectionExtensions
{
    /// <summary>Drains the shared queue (which the drivers' Add…() registers) into <paramref name="sink"/>.</summary>
    public static IServiceCollection AddIngestCollector(this IServiceCollection services, CollectingDriverOutput sink) =>
        services.AddSingleton(sink).AddHostedService<IngestQueueCollector>();
}
