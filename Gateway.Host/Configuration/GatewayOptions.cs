using Gateway.Drivers;
using Gateway.Inference;
using Gateway.Sync;
using Gateway.Sync.Time;

namespace Gateway.Host.Configuration;

/// <summary>The whole configuration file (SPEC section 4), bound after it has been validated.</summary>
public sealed class GatewayOptions
{
    public NodeOptions Node { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public TimeOptions Time { get; set; } = new();

    public MqttOptions Mqtt { get; set; } = new();

    public WebOptions Web { get; set; } = new();

    public LoggingOptions Logging { get; set; } = new();

    public HostSettings Host { get; set; } = new();

    public Health.HealthOptions Health { get; set; } = new();

    public IList<BusOptions> Buses { get; set; } = [];

    public IList<DeviceOptions> Devices { get; set; } = [];

    public InferenceOptions Inference { get; set; } = new();

    public IList<ModelOptions> Models { get; set; } = [];

    public IList<CameraOptions> Cameras { get; set; } = [];
}

public sealed class NodeOptions
{
    public string Id { get; set; } = "";

    public string? Site { get; set; }
}

public sealed class WebOptions
{
    public IList<string> Urls { get; set; } = ["https://0.0.0.0:8443"];

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>Technician accounts; next to the store when not set.</summary>
    public string? UsersFile { get; set; }

    /// <summary>Who may read <c>GET /metrics</c>: <c>session</c> (web login) or <c>localhost</c> (loopback clients, no login).</summary>
    public string Metrics { get; set; } = "session";
}

public sealed class LoggingOptions
{
    public string Level { get; set; } = "Information";
}

public sealed class HostSettings
{
    /// <summary>How long a graceful stop may take before the process exits regardless.</summary>
    public double ShutdownSeconds { get; set; } = 15;

    /// <summary>After a configuration change, how long the restarted components must run without failing (else it is rolled back).</summary>
    public double ApplyHealthSeconds { get; set; } = 10;
}
