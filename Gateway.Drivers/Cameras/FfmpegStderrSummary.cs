using Microsoft.Extensions.Logging;

namespace Gateway.Drivers.Cameras;

/// <summary>
/// ffmpeg's stderr for one camera, summarised: it remembers the last meaningful line (the cause a
/// <c>camera.lost</c> names) and logs at most one line per interval, with the count of lines it
/// held back — a broken stream can print a warning per packet, which must not flood the pole's journal.
/// Lines arrive on the process's reader thread; thread-safe.
/// </summary>
public sealed class FfmpegStderrSummary(string camera, TimeSpan interval, TimeProvider time, ILogger logger)
{
    private readonly Lock _gate = new();
    private long? _lastLogged;
    private long _suppressed;
    private string? _lastMeaningful;
    private string? _lastSuppressed;

    /// <summary>The newest line that says something (not ffmpeg's closing "Conversion failed!" or a blank).</summary>
    public string? LastMeaningful
    {
        get
        {
            lock (_gate)
            {
                return _lastMeaningful;
            }
        }
    }

    public void Add(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        if (!IsMeaningful(text))
        {
            return;
        }
        long suppressed;
        lock (_gate)
        {
            _lastMeaningful = text;
            var now = time.GetTimestamp();
            if (_lastLogged is { } last && time.GetElapsedTime(last, now) < interval)
            {
                _suppressed++;
                _lastSuppressed = text;
                return;
            }
            _lastLogged = now;
            suppressed = _suppressed;
            _suppressed = 0;
            _lastSuppressed = null;
        }
        Log.FfmpegStderr(logger, camera, text, suppressed);
    }

    /// <summary>Logs what was held back (when ffmpeg ended), so that its last words are never lost.</summary>
    public void Flush()
    {
        string? line;
        long suppressed;
        lock (_gate)
        {
            line = _lastSuppressed;
            suppressed = _suppressed - 1;
            _suppressed = 0;
            _lastSuppressed = null;
            if (line is not null)
            {
                _lastLogged = time.GetTimestamp();
            }
        }
        if (line is not null)
        {
            Log.FfmpegStderr(logger, camera, line, suppressed);
        }
    }

    private static bool IsMeaningful(string text) =>
        text.Length > 0 && !text.Equals("Conversion failed!", StringComparison.Ordinal) && !text.StartsWith("Exiting normally", StringComparison.Ordinal);
}
