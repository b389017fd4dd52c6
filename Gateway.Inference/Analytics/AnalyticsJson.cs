using System.Globalization;

namespace Gateway.Inference.Analytics;

/// <summary>How times and boxes appear inside event data: as the store writes a record's <c>ts</c>.</summary>
internal static class AnalyticsJson
{
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Whole pixels: sub-pixel box corners are detector noise, not information.</summary>
    public static int[] Box(BoxF box) => [(int)MathF.Round(box.X1), (int)MathF.Round(box.Y1), (int)MathF.Round(box.X2), (int)MathF.Round(box.Y2)];

    /// <summary>Two decimals, as a score is worth no more.</summary>
    public static double Score(float score) => Math.Round(score, 2);
}
