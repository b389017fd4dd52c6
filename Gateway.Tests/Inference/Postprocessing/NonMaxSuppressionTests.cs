using Gateway.Inference.Models;
using Gateway.Inference.Postprocessing;

namespace Gateway.Tests.Inference.Postprocessing;

public sealed class NonMaxSuppressionTests
{
    [Fact]
    public void Iou_of_hand_made_boxes()
    {
        var a = new Detection(0, 1, 0, 0, 10, 10);
        Assert.Equal(1f, a.IoU(a));
        Assert.Equal(50f / 150f, a.IoU(new Detection(0, 1, 5, 0, 15, 10)), 6);
        Assert.Equal(0f, a.IoU(new Detection(0, 1, 10, 0, 20, 10)));
        Assert.Equal(0f, a.IoU(new Detection(0, 1, 3, 3, 3, 3)));
    }

    [Fact]
    public void Keeps_the_best_of_overlapping_boxes_of_a_class_and_sorts_by_score()
    {
        Detection[] boxes =
        [
            new(0, 0.6f, 1, 1, 11, 11),    // IoU 0.68 with the 0.9 box: suppressed
            new(0, 0.9f, 0, 0, 10, 10),
            new(0, 0.7f, 30, 30, 40, 40),  // elsewhere: kept
            new(0, 0.5f, 6, 0, 16, 10),    // IoU 0.25 with the 0.9 box: below 0.45, kept
        ];
        var kept = NonMaxSuppression.Apply(boxes, 0.45f, NmsMode.PerClass, 100);
        Assert.Equal([0.9f, 0.7f, 0.5f], boxes[..kept].Select(b => b.Score));
    }

    [Fact]
    public void Per_class_keeps_other_classes_on_the_same_spot_class_agnostic_does_not()
    {
        Detection[] Make() => [new(0, 0.9f, 0, 0, 10, 10), new(1, 0.8f, 0, 0, 10, 10), new(1, 0.7f, 0, 1, 10, 11)];
        var perClass = Make();
        Assert.Equal(2, NonMaxSuppression.Apply(perClass, 0.5f, NmsMode.PerClass, 100));
        Assert.Equal([0, 1], perClass[..2].Select(b => b.ClassId));
        var agnostic = Make();
        Assert.Equal(1, NonMaxSuppression.Apply(agnostic, 0.5f, NmsMode.ClassAgnostic, 100));
        Assert.Equal(0, agnostic[0].ClassId);
    }

    [Fact]
    public void Stops_at_the_maximum_and_handles_empty_input()
    {
        var boxes = Enumerable.Range(0, 10).Select(i => new Detection(0, i / 10f, i * 20, 0, (i * 20) + 10, 10)).ToArray();
        Assert.Equal(3, NonMaxSuppression.Apply(boxes, 0.5f, NmsMode.PerClass, 3));
        Assert.Equal([0.9f, 0.8f, 0.7f], boxes[..3].Select(b => b.Score));
        Assert.Equal(0, NonMaxSuppression.Apply([], 0.5f, NmsMode.PerClass, 3));
    }
}
