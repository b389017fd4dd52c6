namespace Gateway.Inference.Analytics;

/// <summary>
/// A configured zone: a polygon in frame pixel coordinates (SPEC section 4). A point on an edge or a
/// vertex counts as inside, so that a person standing on the frame's bottom row (a box clipped to the
/// frame) is in a zone drawn along the frame border.
/// </summary>
internal sealed class ZonePolygon
{
    private const double EdgeTolerance = 1e-6;

    private readonly (double X, double Y)[] _vertices;

    public ZonePolygon(string name, IEnumerable<double[]> polygon)
    {
        ArgumentNullException.ThrowIfNull(polygon);
        Name = name;
        _vertices = polygon.Select(p => p.Length >= 2 ? (p[0], p[1]) : throw new ArgumentException($"zone '{name}': a vertex needs [x, y]", nameof(polygon))).ToArray();
        if (_vertices.Length < 3)
        {
            throw new ArgumentException($"zone '{name}': a polygon needs at least 3 vertices", nameof(polygon));
        }
    }

    public string Name { get; }

    public IReadOnlyList<(double X, double Y)> Vertices => _vertices;

    /// <summary>Even-odd rule (a self-crossing polygon's doubly covered parts are outside), edges inside.</summary>
    public bool Contains(double x, double y)
    {
        var inside = false;
        for (int i = 0, j = _vertices.Length - 1; i < _vertices.Length; j = i++)
        {
            var (xi, yi) = _vertices[i];
            var (xj, yj) = _vertices[j];
            if (OnSegment(x, y, xi, yi, xj, yj))
            {
                return true;
            }
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }
        return inside;
    }

    private static bool OnSegment(double x, double y, double x1, double y1, double x2, double y2)
    {
        var cross = ((x2 - x1) * (y - y1)) - ((y2 - y1) * (x - x1));
        var length = Math.Max(Math.Abs(x2 - x1), Math.Abs(y2 - y1));
        return Math.Abs(cross) <= EdgeTolerance * Math.Max(1, length)
            && x >= Math.Min(x1, x2) - EdgeTolerance && x <= Math.Max(x1, x2) + EdgeTolerance
            && y >= Math.Min(y1, y2) - EdgeTolerance && y <= Math.Max(y1, y2) + EdgeTolerance;
    }
}
