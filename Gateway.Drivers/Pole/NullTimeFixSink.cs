namespace Gateway.Drivers.Pole;

/// <summary>The default <see cref="ITimeFixSink"/> while the Host registers none: time fixes are dropped.</summary>
internal sealed class NullTimeFixSink : ITimeFixSink
{
    public ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
