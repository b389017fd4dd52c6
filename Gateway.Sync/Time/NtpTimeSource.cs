using Gateway.Sync.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Time;

/// <summary>
/// NTP as a time source (SPEC section 3: records are dated once time is known). Asks every
/// configured server, keeps the answer with the smallest error bound, and reports it as reference
/// time — so records are dated even on a pole whose clock stays at 1970 because the gateway may
/// not set it. An answer that agrees with the system clock also vouches for the clock.
/// </summary>
internal sealed partial class NtpTimeSource : BackgroundService
{
    /// <summary>First retry after a round in which no server answered; doubled up to the poll interval.</summary>
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(16);

    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);

    private readonly IClockSync _clock;
    private readonly TimeProvider _time;
    private readonly ILogger<NtpTimeSource> _logger;
    private readonly Func<NtpServer, TimeSpan, CancellationToken, Task<NtpSample>> _query;
    private readonly Func<double> _uniform;
    private readonly TimeSpan _poll;
    private readonly List<NtpServer> _servers;
    private readonly HashSet<NtpServer> _failing = [];
    private readonly HashSet<NtpServer> _slowDown = [];
    private bool _known;
    private bool _warnedOffset;

    public NtpTimeSource(IOptions<TimeOptions> options, IClockSync clock, TimeProvider time, ILogger<NtpTimeSource> logger)
        : this(options.Value, clock, time, logger, new SntpClient(time).QueryAsync, Random.Shared.NextDouble)
    {
    }

    internal NtpTimeSource(TimeOptions options, IClockSync clock, TimeProvider time, ILogger<NtpTimeSource> logger,
        Func<NtpServer, TimeSpan, CancellationToken, Task<NtpSample>> query, Func<double> uniform)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _time = time;
        _logger = logger;
        _query = query;
        _uniform = uniform;
        _poll = TimeSpan.FromSeconds(options.NtpPollSeconds);
        _servers = options.NtpServers.Select(text => NtpServer.TryParse(text, out var server, out var problem)
            ? server
            : throw new ArgumentException($"time.ntpServers: '{text}' {problem}", nameof(options))).ToList();
    }

    /// <summary>How far a sample may be from the system clock and still vouch for it.</summary>
    internal static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        while (_servers.Count > 0)
        {
            var answered = await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            var wait = answered ? _poll : retry;
            retry = answered ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _poll.Ticks));
            // Up to a tenth more, so that poles powered up together do not ask in step.
            wait += wait * (0.1 * _uniform());
            await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
        }
        Log.NoServers(_logger);
    }

    /// <summary>Asks every server once; reports the best answer. True when one answered.</summary>
    internal async Task<bool> PollOnceAsync(CancellationToken cancellationToken)
    {
        NtpSample? best = null;
        DateTimeOffset bestSystemClock = default;
        foreach (var server in _servers.ToArray())
        {
            if (_slowDown.Remove(server))
            {
                continue; // it asked us to ask less often (kiss code RATE): skip one round
            }
            try
            {
                var sample = await _query(server, QueryTimeout, cancellationToken).ConfigureAwait(false);
                var systemClock = _time.GetUtcNow() - _time.GetElapsedTime(sample.Timestamp);
                if (_failing.Remove(server))
                {
                    Log.ServerBack(_logger, server.ToString());
                }
                if (best is null || sample.ErrorBoundSeconds < best.ErrorBoundSeconds)
                {
                    best = sample;
                    bestSystemClock = systemClock;
                }
            }
            catch (NtpQueryException e)
            {
                Failed(server, e);
            }
        }
        if (best is null)
        {
            return false;
        }
        var tolerance = Tolerance + TimeSpan.FromSeconds(best.ErrorBoundSeconds);
        var agreement = _clock.ReportSample($"ntp:{best.Server}", best.Utc, best.Timestamp, bestSystemClock, tolerance);
        if (!_known)
        {
            Log.TimeKnown(_logger, best.Server.ToString(), best.Stratum, best.ErrorBoundSeconds * 1000);
            _known = true;
        }
        if (agreement == ClockAgreement.Confirmed)
        {
            Log.ClockConfirmed(_logger, best.Server.ToString(), (bestSystemClock - best.Utc).TotalMilliseconds);
        }
        if (agreement == ClockAgreement.Disagrees && !_warnedOffset)
        {
            Log.ClockDisagrees(_logger, best.Server.ToString(), (bestSystemClock - best.Utc).TotalSeconds);
            _warnedOffset = true;
        }
        else if (agreement != ClockAgreement.Disagrees)
        {
            _warnedOffset = false;
        }
        return true;
    }

    private void Failed(NtpServer server, NtpQueryException e)
    {
        switch (e.KissCode)
        {
            case "DENY" or "RSTR":
                // RFC 5905 section 7.4: the server refuses us; asking again is abuse.
                _servers.Remove(server);
                _failing.Remove(server);
                Log.Refused(_logger, server.ToString(), e.KissCode);
                return;
            case "RATE":
                _slowDown.Add(server);
                break;
        }
        if (_failing.Add(server))
        {
            Log.ServerFailed(_logger, server.ToString(), e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4411, LogLevel.Information, "clock: time is known from NTP ({Server}, stratum {Stratum}, error bound {ErrorMs} ms); records are dated from it")]
        public static partial void TimeKnown(ILogger logger, string server, int stratum, double errorMs);

        [LoggerMessage(4412, LogLevel.Information, "clock: NTP time from {Server} confirms the system clock (off by {OffsetMs} ms)")]
        public static partial void ClockConfirmed(ILogger logger, string server, double offsetMs);

        [LoggerMessage(4413, LogLevel.Warning, "clock: the system clock is off by {OffsetSeconds} s from NTP time ({Server}); records are dated from NTP time, the system clock stays wrong until an NTP daemon (chrony, systemd-timesyncd) sets it")]
        public static partial void ClockDisagrees(ILogger logger, string server, double offsetSeconds);

        [LoggerMessage(4414, LogLevel.Warning, "clock: NTP server {Server} gave no time: {Reason}; asking again later (check time.ntpServers and that UDP port 123 is open to it)")]
        public static partial void ServerFailed(ILogger logger, string server, string reason);

        [LoggerMessage(4415, LogLevel.Information, "clock: NTP server {Server} answers again")]
        public static partial void ServerBack(ILogger logger, string server);

        [LoggerMessage(4416, LogLevel.Warning, "clock: NTP server {Server} refuses this node (kiss code {Code}); it is not asked again until the gateway restarts")]
        public static partial void Refused(ILogger logger, string server, string code);

        [LoggerMessage(4417, LogLevel.Warning, "clock: no NTP server left to ask (all refused this node)")]
        public static partial void NoServers(ILogger logger);
    }
}
