using Gateway.Sync.Mqtt;

namespace Gateway.Tests.Sync.Mqtt;

public class ReconnectBackoffTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 8)]
    [InlineData(6, 60)]
    [InlineData(1000, 60)]
    public void Ceiling_doubles_per_failure_up_to_the_maximum(int attempt, double seconds)
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => 0.5);
        Assert.Equal(TimeSpan.FromSeconds(seconds), backoff.Ceiling(attempt));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 2)]
    [InlineData(0.999, 7.992)]
    public void Full_jitter_draws_from_zero_to_the_ceiling(double uniform, double expectedSeconds)
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), () => uniform);
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), backoff.Next(3));
    }

    [Fact]
    public void Poles_drawing_different_numbers_spread_out()
    {
        var random = new Random(42);
        var backoff = new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), random.NextDouble);
        var delays = Enumerable.Range(0, 1000).Select(_ => backoff.Next(5)).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(32)));
        // a thousand poles must not come back in the same second: full jitter spreads them over the window
        Assert.True(delays.GroupBy(d => (int)d.TotalSeconds).Max(g => g.Count()) < 100);
    }
}
