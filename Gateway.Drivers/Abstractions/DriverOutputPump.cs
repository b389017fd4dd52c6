using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Drivers.Abstractions;

/// <summary>
/// Moves records from <see cref="ChannelDriverOutput"/> into the Host's <see cref="IDriverSink"/>
/// in batches, preserving order. A failing sink is retried with a doubling pause (1 s to 30 s) and
/// said once per streak; records are not dropped here (the bounded queue then holds the drivers back).
/// </summary>
internal sealed partial class DriverOutputPump(
    ChannelDriverOutput output,
    IDriverSink sink,
    IOptions<DriverOutputOptions> options,
    TimeProvider time,
    ILogger<DriverOutputPump> logger) : BackgroundService
{
    internal static readonly TimeSpan FirstRetryPause = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan MaxRetryPause = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new Reading[Math.Max(1, options.Value.MaxBatch)];
        var reader = output.Reader;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
                {
                    return;
                }
                var count = 0;
                while (count < batch.Length && reader.TryPeek(out var record))
                {
                    if (record.Event is not null)
                    {
                        if (count > 0)
                        {
                            break;
                        }
                        await DeliverAsync(() => sink.WriteEventAsync(record.Event, stoppingToken), 1, stoppingToken).ConfigureAwait(false);
                        reader.TryRead(out _);
                        continue;
                    }
                    batch[count++] = record.Reading;
                    reader.TryRead(out _);
                }
                if (count > 0)
                {
                    var filled = new ReadOnlyMemory<Reading>(batch, 0, count);
                    await DeliverAsync(() => sink.WriteReadingsAsync(filled, stoppingToken), count, stoppingToken).ConfigureAwait(false);
                    Array.Clear(batch, 0, count);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async ValueTask DeliverAsync(Func<ValueTask> write, int count, CancellationToken stoppingToken)
    {
        var failures = 0;
        var pause = FirstRetryPause;
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                await write().ConfigureAwait(false);
                if (failures > 0)
                {
                    Log.SinkRecovered(logger, failures);
                }
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (failures++ == 0)
                {
                    Log.SinkFailed(logger, count, ex.Message);
                }
                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxRetryPause.Ticks));
            }
        }
    }
}
