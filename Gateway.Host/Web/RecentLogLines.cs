using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

/// <summary>
/// The last <see cref="Capacity"/> log lines in memory for the page's "logs" view, as the console
/// shows them (same level filters). Messages carry no secrets by the house rules; an exception
/// contributes its type and message, never its stack trace.
/// </summary>
public sealed class RecentLogLines(TimeProvider time) : ILoggerProvider
{
    public const int Capacity = 500;

    private readonly LogLine[] _ring = new LogLine[Capacity];
    private readonly Lock _gate = new();
    private long _written;

    public sealed record LogLine(DateTimeOffset Ts, string Level, string Category, int EventId, string Message);

    public ILogger CreateLogger(string categoryName) => new RingLogger(this, categoryName);

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<LogLine> Snapshot()
    {
        lock (_gate)
        {
            var count = (int)Math.Min(_written, Capacity);
            var lines = new LogLine[count];
            for (var i = 0; i < count; i++)
            {
                lines[i] = _ring[(_written - count + i) % Capacity];
            }
            return lines;
        }
    }

    public void Dispose()
    {
        // nothing held outside managed memory
    }

    private void Add(LogLine line)
    {
        lock (_gate)
        {
            _ring[_written % Capacity] = line;
            _written++;
        }
    }

    private sealed class RingLogger(RecentLogLines owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }
            owner.Add(new LogLine(owner.CurrentTime(), logLevel.ToString().ToLowerInvariant(), category, eventId.Id, message));
        }
    }

    private DateTimeOffset CurrentTime() => time.GetUtcNow();
}
