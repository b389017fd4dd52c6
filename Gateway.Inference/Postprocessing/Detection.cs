namespace Gateway.Inference.Postprocessing;

/// <summary>One detected object: class index (see the manifest's labels), score, and box corners in pixels.</summary>
public readonly record struct Detection(int ClassId, float Score, float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;

    public float Area => Math.Max(0, X2 - X1) * Math.Max(0, Y2 - Y1);

    /// <summary>Intersection over union with another box (0 when either is empty).</summary>
    public float IoU(in Detection other)
    {
        var w = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        var h = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }
        var intersection = w * h;
        return intersection / (Area + other.Area - intersection);
    }
}
