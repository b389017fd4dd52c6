namespace Gateway.Contracts;

/// <summary>A reading or an event in the <see cref="IngestQueue"/> (one ordered queue, so an offline event and the bad readings around it keep their order).</summary>
public readonly record struct IngestRecord(Reading Reading, GatewayEvent? Event);
