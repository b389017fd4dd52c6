namespace Gateway.Inference.Analytics;

/// <summary>
/// The median of the last three per-frame counts: one frame in which the detector misses or invents
/// people (occlusion, motion blur) neither starts nor resets a gathering, while a real change shows
/// after two frames. With fewer than three counts seen, the lower middle one (conservative: an alert
/// never starts on a single frame).
/// </summary>
internal sealed class CountSmoother
{
    private readonly int[] _last = new int[3];
    private int _seen;

    public int Add(int count)
    {
        _last[_seen % 3] = count;
        _seen++;
        if (_seen == 1)
        {
            return count;
        }
        if (_seen == 2)
        {
            return Math.Min(_last[0], _last[1]);
        }
        var (a, b, c) = (_last[0], _last[1], _last[2]);
        return Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
    }
}
