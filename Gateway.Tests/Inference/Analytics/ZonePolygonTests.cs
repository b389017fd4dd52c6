using Gateway.Inference.Analytics;

namespace Gateway.Tests.Inference.Analytics;

public sealed class ZonePolygonTests
{
    // An L: the 100x100 square at the origin without its top-right quarter.
    private static readonly ZonePolygon L = new("l", [[0, 0], [50, 0], [50, 50], [100, 50], [100, 100], [0, 100]]);

    [Theory]
    [InlineData(25, 25, true)]
    [InlineData(75, 75, true)]
    [InlineData(75, 25, false)] // the missing quarter of the concave polygon
    [InlineData(-1, 50, false)]
    [InlineData(50, 101, false)]
    [InlineData(0, 0, true)] // a vertex
    [InlineData(100, 100, true)] // the far vertex, where a half-open rule would say outside
    [InlineData(100, 75, true)] // on the right edge
    [InlineData(30, 100, true)] // on the bottom edge: feet on the frame's last row
    [InlineData(75, 50, true)] // on the inner edge of the notch
    [InlineData(75, 49.9, false)]
    public void Contains_the_inside_and_the_edges_only(double x, double y, bool inside) =>
        Assert.Equal(inside, L.Contains(x, y));

    [Fact]
    public void A_polygon_needs_three_vertices_of_two_coordinates()
    {
        Assert.Throws<ArgumentException>(() => new ZonePolygon("z", [[0, 0], [1, 1]]));
        Assert.Throws<ArgumentException>(() => new ZonePolygon("z", [[0, 0], [1], [1, 1]]));
    }
}
