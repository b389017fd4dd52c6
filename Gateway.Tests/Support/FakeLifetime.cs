using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Support;

/// <summary>An application lifetime whose stop is only a cancelled token: what a hosted service sees, without a host.</summary>
internal sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
{
    public CancellationTokenSource Stopping { get; } = new();

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => Stopping.Token;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication() => Stopping.Cancel();

    public void Dispose() => Stopping.Dispose();
}
