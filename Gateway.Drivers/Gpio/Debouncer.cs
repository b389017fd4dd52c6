namespace Gateway.Drivers.Gpio;

/// <summary>
/// Software debounce over timestamped edges, pure and clock-free: a new level counts once the line
/// has stayed there for the whole period with no further edge. A burst of bounces that ends on the
/// old level is no change at all; one that ends on the new level is one change, dated at the burst's
/// first edge. Timestamps are the chip's monotonic nanoseconds.
/// </summary>
internal sealed class Debouncer(bool initialActive, long periodNs)
{
    private bool _raw = initialActive;
    private long _lastEdgeNs;
    private long _departedAtNs;
    private bool _seenEdge;

    public bool Stable { get; private set; } = initialActive;

    /// <summary>When a pending change would be confirmed if no edge comes first; null if none is pending.</summary>
    public long? DeadlineNs => _raw != Stable ? _lastEdgeNs + periodNs : null;

    /// <summary>Feeds one edge; returns the change it confirms, if any (at most one per edge).</summary>
    public DebouncedChange? OnEdge(bool active, long timestampNs)
    {
        // A change pending before this edge was confirmed if its quiet period ended first.
        var confirmed = Poll(timestampNs);
        if (active != _raw)
        {
            // A burst starts at an edge after a quiet period; bounces back through the stable
            // level inside the burst keep its start.
            if (_raw == Stable && (!_seenEdge || timestampNs - _lastEdgeNs >= periodNs))
            {
                _departedAtNs = timestampNs;
            }
            _seenEdge = true;
            _raw = active;
            _lastEdgeNs = timestampNs;
        }
        return confirmed ?? Poll(timestampNs);
    }

    /// <summary>Confirms the pending change if the line has been quiet for the period at <paramref name="nowNs"/>.</summary>
    public DebouncedChange? Poll(long nowNs)
    {
        if (_raw == Stable || nowNs - _lastEdgeNs < periodNs)
        {
            return null;
        }
        Stable = _raw;
        return new DebouncedChange(Stable, _departedAtNs);
    }
}
