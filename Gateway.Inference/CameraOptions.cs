namespace Gateway.Inference;

/// <summary>One entry of the <c>cameras</c> section (SPEC section 4).</summary>
public sealed class CameraOptions
{
    public string Id { get; set; } = "";

    /// <summary><c>rtsp://…</c>, <c>v4l2:///dev/videoN</c> or a file path.</summary>
    public string Source { get; set; } = "";

    public double Fps { get; set; } = 1;

    /// <summary>
    /// The analysis frame's size: ffmpeg scales every frame to it (stretching if the camera's aspect
    /// differs), and zone polygons are pixel coordinates of this frame, not of the camera's own.
    /// </summary>
    public int Width { get; set; } = 640;

    public int Height { get; set; } = 480;

    /// <summary>No frame for this long counts as a lost stream (ffmpeg is restarted).</summary>
    public double StallSeconds { get; set; } = 10;

    /// <summary>Skip the detector on unchanged frames; null (the default) runs it on every frame.</summary>
    public MotionGateOptions? MotionGate { get; set; }

    public CrowdOptions? Crowd { get; set; }

    public LitterOptions? Litter { get; set; }
}

public sealed class CrowdOptions
{
    public string Model { get; set; } = "";

    public double ReportSeconds { get; set; } = 10;

    public IList<CrowdZoneOptions> Zones { get; set; } = [];
}

public sealed class CrowdZoneOptions
{
    public string Name { get; set; } = "";

    /// <summary>Polygon vertices in pixel coordinates of the camera frame, as [x, y] pairs.</summary>
    public IList<double[]> Polygon { get; set; } = [];

    public int AlertPersons { get; set; } = 20;

    public double AlertSeconds { get; set; } = 30;

    public int ClearPersons { get; set; } = 10;

    public double ClearSeconds { get; set; } = 60;
}

public sealed class LitterOptions
{
    public string Model { get; set; } = "";

    public IList<string> Classes { get; set; } = [];

    public double MinSeconds { get; set; } = 300;

    public double ClearSeconds { get; set; } = 120;

    public IList<LitterZoneOptions> Zones { get; set; } = [];
}

public sealed class LitterZoneOptions
{
    public string Name { get; set; } = "";

    public IList<double[]> Polygon { get; set; } = [];
}
