using System.Reflection;

namespace Gateway.Tests.Contracts;

/// <summary>Drivers, Inference and Sync share only Gateway.Contracts; Host alone composes them.</summary>
public sealed class LayeringTests
{
    private static readonly Assembly[] Layers =
    [
        typeof(Gateway.Drivers.Abstractions.IDriverOutput).Assembly,
        typeof(Gateway.Inference.InferenceOptions).Assembly,
        typeof(Gateway.Sync.Store.IRecordStore).Assembly,
    ];

    [Fact]
    public void The_layers_never_reference_each_other_and_contracts_references_no_layer()
    {
        var gateway = Layers.Append(typeof(Reading).Assembly).Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal);
        foreach (var layer in Layers.Append(typeof(Reading).Assembly))
        {
            var references = layer.GetReferencedAssemblies().Select(r => r.Name!).Where(gateway.Contains);
            Assert.All(references, r => Assert.Equal("Gateway.Contracts", r));
        }
        // Both ends of a reading's way use the shared types, not copies of their own.
        Assert.Contains(Layers[0].GetReferencedAssemblies(), r => r.Name == "Gateway.Contracts");
        Assert.Contains(Layers[2].GetReferencedAssemblies(), r => r.Name == "Gateway.Contracts");
        Assert.All(Layers, l => Assert.DoesNotContain(l.GetTypes(), t => t.Name is "ReadingValue" or "ReadingQuality" or "ReadingValueKind"));
    }
}
