namespace Gateway.Bench;

/// <summary>
/// A whole-system measurement that BenchmarkDotNet's micro-benchmark model does not fit
/// (a drain through a real broker, a load run against simulated devices). Each one prints a
/// table that docs/benchmarks.md records, including the reference it compares against.
/// </summary>
public interface IBenchCommand
{
    /// <summary>The word after <c>--</c> that selects it: <c>dotnet run -c Release --project bench/Gateway.Bench -- NAME</c>.</summary>
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
