namespace Gateway.Drivers.Modbus;

/// <summary>A parsed device <c>endpoint</c>: <c>tcp://host:port</c> (Modbus TCP) or <c>rtu+tcp://host:port</c> (RTU over TCP).</summary>
public sealed record ModbusEndpoint(bool RtuOverTcp, string Host, int Port)
{
    public static ModbusEndpoint Parse(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Port <= 0 || uri.Scheme is not ("tcp" or "rtu+tcp"))
        {
            throw new ArgumentException($"invalid Modbus endpoint '{endpoint}' (tcp://host:port or rtu+tcp://host:port)", nameof(endpoint));
        }
        return new ModbusEndpoint(uri.Scheme == "rtu+tcp", uri.DnsSafeHost, uri.Port);
    }

    public override string ToString() => $"{(RtuOverTcp ? "rtu+tcp" : "tcp")}://{Host}:{Port}";
}
