namespace Gateway.Inference.Images;

/// <summary>A decoded picture: packed RGB24 rows, top to bottom, no padding.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels);
