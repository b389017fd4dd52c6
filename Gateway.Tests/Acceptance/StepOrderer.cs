using Xunit.Abstractions;
using Xunit.Sdk;

namespace Gateway.Tests.Acceptance;

/// <summary>The place of a test in the suite's run over one virtual pole (<see cref="StepOrderer"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StepAttribute(int number) : Attribute
{
    public int Number { get; } = number;
}

/// <summary>
/// Runs the acceptance tests in their step order: the check that every message seen validates goes
/// last, after the restarts, commands and stops have produced every kind of message. Each test still
/// stands alone (it waits for the gateway to run and for the traffic it needs).
/// </summary>
public sealed class StepOrderer : ITestCaseOrderer
{
    public const string TypeName = "Gateway.Tests.Acceptance.StepOrderer";
    public const string AssemblyName = "Gateway.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(c => c.TestMethod.Method.GetCustomAttributes(typeof(StepAttribute).AssemblyQualifiedName)
            .Select(a => (int)a.GetConstructorArguments().First()).DefaultIfEmpty(int.MaxValue).First());
}
