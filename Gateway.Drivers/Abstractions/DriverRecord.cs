namespace Gateway.Drivers.Abstractions;

/// <summary>A reading or an event in the one ordered hand-over queue (so an offline event and the bad readings around it stay in order).</summary>
internal readonly record struct DriverRecord(Reading Reading, GatewayEvent? Event);
