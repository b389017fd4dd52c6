namespace Gateway.Simulation.Video;

/// <summary>One stretch of a <see cref="StreetSceneVideo"/>: for <paramref name="Seconds"/>, <paramref name="Persons"/> persons stand on the pavement and the litter object lies on the ledge or not.</summary>
public sealed record StreetSegment(double Seconds, int Persons, bool Litter);
