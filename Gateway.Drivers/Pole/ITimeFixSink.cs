namespace Gateway.Drivers.Pole;

/// <summary>
/// Where a GNSS receiver configured with <c>timeSource: true</c> delivers trusted UTC. The Host
/// implements it and feeds the store's clock-validity logic; readings and events go through the
/// shared <see cref="Abstractions.IDriverOutput"/> instead. The default does nothing. Must be
/// thread-safe.
/// </summary>
public interface ITimeFixSink
{
    ValueTask TimeFixAsync(PoleTimeFix fix, CancellationToken cancellationToken);
}
