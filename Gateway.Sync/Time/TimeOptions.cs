namespace Gateway.Sync.Time;

/// <summary>The <c>time</c> configuration section: where the node's time comes from besides GNSS.</summary>
public sealed class TimeOptions
{
    /// <summary>NTP servers asked for the time (<c>host</c> or <c>host:port</c>); none by default (a city network names its own).</summary>
    public List<string> NtpServers { get; set; } = [];

    /// <summary>Seconds between NTP queries once time is known (RFC 5905's default maximum poll, 2^10 s).</summary>
    public double NtpPollSeconds { get; set; } = 1024;

    /// <summary>Watch <c>adjtimex(2)</c> for a system NTP daemon that keeps the clock synchronised.</summary>
    public bool KernelSync { get; set; } = true;
}
