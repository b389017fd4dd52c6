namespace Gateway.Host.Configuration;

/// <summary>One configuration problem, located by its JSON path (e.g. <c>devices[2].points[0].type</c>).</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => $"{(Path.Length == 0 ? "(root)" : Path)}: {Message}";
}
