using System.Security.Cryptography;
using System.Text;
using Gateway.Host.Security;

namespace Gateway.Host.Web;

/// <summary>
/// Server-side sessions: a random 256-bit token in the cookie, looked up here by its SHA-256 (a
/// memory dump shows no usable token). A session ends after <see cref="IdleTimeout"/> without a
/// request and <see cref="AbsoluteTimeout"/> after login whatever happens; at most
/// <see cref="Capacity"/> live at once, the least recently used going first. Times from the
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class SessionTable(TimeProvider time)
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan AbsoluteTimeout = TimeSpan.FromHours(12);
    public const int Capacity = 64;

    private readonly Dictionary<string, WebSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A new session; returns its token (for the cookie only) and the session.</summary>
    public (string Token, WebSession Session) Create(string user, UserRole role)
    {
        var token = NewToken();
        var session = new WebSession(user, role, NewToken(), time.GetUtcNow());
        lock (_gate)
        {
            Expire();
            if (_sessions.Count >= Capacity)
            {
                _sessions.Remove(_sessions.MinBy(p => p.Value.LastSeen).Key);
            }
            _sessions[Key(token)] = session;
        }
        return (token, session);
    }

    /// <summary>The live session of <paramref name="token"/> (its idle clock restarted), or null.</summary>
    public WebSession? Find(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128)
        {
            return null;
        }
        var key = Key(token);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_sessions.TryGetValue(key, out var session))
            {
                return null;
            }
            if (IsExpired(session, now))
            {
                _sessions.Remove(key);
                return null;
            }
            session.LastSeen = now;
            return session;
        }
    }

    public void Remove(string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            lock (_gate)
            {
                _sessions.Remove(Key(token));
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                Expire();
                return _sessions.Count;
            }
        }
    }

    /// <summary>Constant-time comparison of a request's CSRF header with the session's token.</summary>
    public static bool CsrfMatches(WebSession session, string? header)
    {
        ArgumentNullException.ThrowIfNull(session);
        return header is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(session.CsrfToken));
    }

    private void Expire()
    {
        var now = time.GetUtcNow();
        foreach (var key in _sessions.Where(p => IsExpired(p.Value, now)).Select(p => p.Key).ToList())
        {
            _sessions.Remove(key);
        }
    }

    private static bool IsExpired(WebSession session, DateTimeOffset now) =>
        now - session.LastSeen >= IdleTimeout || now - session.Created >= AbsoluteTimeout;

    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
