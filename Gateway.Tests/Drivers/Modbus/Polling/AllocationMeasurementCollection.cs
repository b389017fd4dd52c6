namespace Gateway.Tests.Drivers.Modbus.Polling;

/// <summary>
/// Tests that count the whole process's allocated bytes: run alone (xunit runs a collection with
/// parallelisation disabled after all others), so other tests' work is not counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
    public const string Name = "process-wide allocation measurements";
}
