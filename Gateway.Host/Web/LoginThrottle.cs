namespace Gateway.Host.Web;

/// <summary>
/// Failed logins counted per client address and per account name: after <see cref="MaxFailures"/>
/// failures within <see cref="Window"/> that key is locked for <see cref="LockDuration"/> (429 with
/// Retry-After), a correct password included — so a guesser gets ten tries per quarter hour per
/// account and per address, and a technician who mistyped ten times waits, as the page says. A
/// successful login clears its keys. Bounded: stale keys are forgotten, and beyond
/// <see cref="MaxKeys"/> the oldest go. Times from the <see cref="TimeProvider"/>.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int MaxFailures = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);
    public const int MaxKeys = 4096;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>How long the client or the account is still locked; zero when a login may be tried.</summary>
    public TimeSpan LockedFor(string client, string user)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var a = Remaining(ClientKey(client), now);
            var b = Remaining(UserKey(user), now);
            return a > b ? a : b;
        }
    }

    public void Failed(string client, string user)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.Count >= MaxKeys)
            {
                Forget(now);
            }
            Count(ClientKey(client), now);
            Count(UserKey(user), now);
        }
    }

    public void Succeeded(string client, string user)
    {
        lock (_gate)
        {
            _entries.Remove(ClientKey(client));
            _entries.Remove(UserKey(user));
        }
    }

    private void Count(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry) || now - entry.FirstFailure >= Window)
        {
            entry = new Entry { FirstFailure = now };
            _entries[key] = entry;
        }
        entry.Failures++;
        entry.LastFailure = now;
        if (entry.Failures >= MaxFailures)
        {
            entry.LockedUntil = now + LockDuration;
            entry.Failures = 0;
            entry.FirstFailure = now;
        }
    }

    private TimeSpan Remaining(string key, DateTimeOffset now) =>
        _entries.TryGetValue(key, out var entry) && entry.LockedUntil > now ? entry.LockedUntil - now : TimeSpan.Zero;

    private void Forget(DateTimeOffset now)
    {
        foreach (var key in _entries.Where(p => p.Value.LockedUntil <= now && now - p.Value.LastFailure >= Window).Select(p => p.Key).ToList())
        {
            _entries.Remove(key);
        }
        foreach (var key in _entries.OrderBy(p => p.Value.LastFailure).Take(Math.Max(0, _entries.Count - (MaxKeys / 2))).Select(p => p.Key).ToList())
        {
            _entries.Remove(key);
        }
    }

    private static string ClientKey(string client) => "ip:" + client;

    private static string UserKey(string user) => "user:" + user.ToLowerInvariant();

    private sealed class Entry
    {
        public DateTimeOffset FirstFailure { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset LockedUntil { get; set; }

        public int Failures { get; set; }
    }
}
