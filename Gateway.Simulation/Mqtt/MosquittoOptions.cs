namespace Gateway.Simulation.Mqtt;

/// <summary>How a <see cref="LoopbackMosquitto"/> is configured.</summary>
public sealed class MosquittoOptions
{
    /// <summary>Where mosquitto.conf, its log and any persistence live; null: a temporary folder, deleted on dispose.</summary>
    public string? Directory { get; init; }

    /// <summary>The port wanted on 127.0.0.1; when it is taken a free one is used and <see cref="Report"/> names who holds it. 0: any free port.</summary>
    public int Port { get; init; }

    /// <summary>What <see cref="Report"/> calls this broker ("this demo's broker uses … instead").</summary>
    public string Name { get; init; } = "broker";

    /// <summary>A second listener, with TLS, on a free port.</summary>
    public MosquittoTls? Tls { get; init; }

    /// <summary>Further mosquitto.conf lines: persistence, limits, <c>log_type</c>, <c>sys_interval</c>…</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>Receives one line per thing worth telling a user: a port taken, a missing util-linux tool.</summary>
    public Action<string> Report { get; init; } = _ => { };

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stop waits after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>The TLS listener's files (PEM) and whether clients must present a certificate.</summary>
public sealed record MosquittoTls(string CaFile, string CertFile, string KeyFile, bool RequireClientCertificate);
