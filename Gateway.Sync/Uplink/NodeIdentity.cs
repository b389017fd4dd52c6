namespace Gateway.Sync.Uplink;

/// <summary>Who this node is on the uplink: its id (part of every topic), software version, and site.</summary>
public sealed record NodeIdentity(string NodeId, string Version, string? Site = null);
