using Gateway.Sync;
using Gateway.Sync.Store;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Sync.Store;

public sealed class DurableStoreRegistrationTests
{
    [Fact]
    public async Task AddDurableStore_gives_one_store_behind_both_interfaces_opened_at_start_from_the_options()
    {
        using var dir = new TempDirectory();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDurableStore(o =>
        {
            o.Path = dir.File("data/buffer.db");
            o.Durability = "relaxed";
        });
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }
        Assert.True(File.Exists(dir.File("data/buffer.db")));
        var store = provider.GetRequiredService<IRecordStore>();
        Assert.Same(store, provider.GetRequiredService<IOutbox>());
        var seq = await store.AppendReadingAsync(Reading.Measure(TimeProvider.System, "a", "b", 1.0));
        Assert.Equal(seq, Assert.Single(await provider.GetRequiredService<IOutbox>().ReadReadingsAsync(0, 10)).Seq);
        Assert.False(provider.GetRequiredService<IClockSync>().IsSynchronized);
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }
}
