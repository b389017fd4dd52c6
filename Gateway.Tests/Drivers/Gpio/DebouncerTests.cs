using Gateway.Drivers.Gpio;

namespace Gateway.Tests.Drivers.Gpio;

public sealed class DebouncerTests
{
    private const long Ms = 1_000_000;

    /// <summary>Feeds edges (level, ms) then polls at <paramref name="endMs"/>; returns the confirmed changes.</summary>
    private static List<DebouncedChange> Run(bool initial, long periodMs, (bool Level, long AtMs)[] edges, long endMs)
    {
        var debouncer = new Debouncer(initial, periodMs * Ms);
        var changes = new List<DebouncedChange>();
        foreach (var (level, at) in edges)
        {
            if (debouncer.OnEdge(level, at * Ms) is { } c)
            {
                changes.Add(c);
            }
        }
        if (debouncer.Poll(endMs * Ms) is { } last)
        {
            changes.Add(last);
        }
        return changes;
    }

    [Fact]
    public void Clean_edge_is_confirmed_after_the_quiet_period_and_dated_at_the_edge()
    {
        var changes = Run(false, 50, [(true, 100)], endMs: 150);
        Assert.Equal([new DebouncedChange(true, 100 * Ms)], changes);
    }

    [Fact]
    public void Change_is_not_confirmed_before_the_quiet_period_ends()
    {
        Assert.Empty(Run(false, 50, [(true, 100)], endMs: 149));
    }

    [Fact]
    public void Bounce_storm_ending_high_is_one_change_at_its_first_edge()
    {
        // 40 bounces 0.3 ms apart, ending high: a contact closing.
        var storm = Enumerable.Range(0, 41).Select(i => (i % 2 == 0, 1000 + (i * 3 / 10L))).ToArray();
        var changes = Run(false, 20, storm, endMs: 2000);
        Assert.Equal([new DebouncedChange(true, 1000 * Ms)], changes);
    }

    [Fact]
    public void Glitch_that_returns_to_the_old_level_is_no_change()
    {
        Assert.Empty(Run(false, 20, [(true, 100), (false, 101), (true, 105), (false, 110)], endMs: 1000));
    }

    [Fact]
    public void Edges_slower_than_the_period_are_all_changes()
    {
        var changes = Run(false, 10, [(true, 100), (false, 200), (true, 300)], endMs: 400);
        Assert.Equal([true, false, true], changes.Select(c => c.Active));
        Assert.Equal([100 * Ms, 200 * Ms, 300 * Ms], changes.Select(c => c.ChangedAtNs));
    }

    [Fact]
    public void Zero_period_confirms_every_edge_at_once()
    {
        var changes = Run(false, 0, [(true, 1), (false, 2), (true, 3)], endMs: 3);
        Assert.Equal([true, false, true], changes.Select(c => c.Active));
    }

    [Fact]
    public void Deadline_follows_the_last_edge_of_a_burst()
    {
        var debouncer = new Debouncer(false, 50 * Ms);
        Assert.Null(debouncer.DeadlineNs);
        debouncer.OnEdge(true, 100 * Ms);
        debouncer.OnEdge(false, 110 * Ms);
        debouncer.OnEdge(true, 120 * Ms);
        Assert.Equal(170 * Ms, debouncer.DeadlineNs);
        Assert.Null(debouncer.Poll(169 * Ms));
        Assert.Equal(new DebouncedChange(true, 100 * Ms), debouncer.Poll(170 * Ms)); // dated at the burst's first edge
        Assert.Null(debouncer.DeadlineNs);
    }

    [Fact]
    public void Repeated_edge_to_the_same_level_does_not_restart_the_quiet_period()
    {
        // A missed falling edge shows up as two rising edges in a row.
        var changes = Run(false, 50, [(true, 100), (true, 140)], endMs: 150);
        Assert.Equal([new DebouncedChange(true, 100 * Ms)], changes);
    }
}
