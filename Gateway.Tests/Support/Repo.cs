namespace Gateway.Tests.Support;

/// <summary>Locations inside the repository checkout the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The built gateway (edge-gateway.dll next to the test assembly), run with <c>dotnet</c>.</summary>
    public static string GatewayDll { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "edge-gateway.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"EdgeGateway.sln not found above {AppContext.BaseDirectory}");
    }
}
