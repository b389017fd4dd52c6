using Gateway.Inference.Models;

namespace Gateway.Inference.Postprocessing;

/// <summary>Greedy non-maximum suppression in place: best score first, drop boxes overlapping a kept one by more than the IoU threshold.</summary>
public static class NonMaxSuppression
{
    private static readonly Comparison<Detection> ByScoreDescending = static (a, b) => b.Score.CompareTo(a.Score);

    /// <summary>
    /// Sorts <paramref name="candidates"/> by score and moves the survivors to its front; returns
    /// how many survived (at most <paramref name="maxKept"/>). With <see cref="NmsMode.PerClass"/>
    /// only boxes of the same class suppress each other. Allocates nothing.
    /// </summary>
    public static int Apply(Span<Detection> candidates, float iouThreshold, NmsMode mode, int maxKept)
    {
        candidates.Sort(ByScoreDescending);
        var kept = 0;
        for (var i = 0; i < candidates.Length && kept < maxKept; i++)
        {
            var candidate = candidates[i];
            var suppressed = false;
            for (var k = 0; k < kept; k++)
            {
                if ((mode == NmsMode.ClassAgnostic || candidates[k].ClassId == candidate.ClassId) && candidates[k].IoU(candidate) > iouThreshold)
                {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed)
            {
                candidates[kept++] = candidate;
            }
        }
        return kept;
    }
}
