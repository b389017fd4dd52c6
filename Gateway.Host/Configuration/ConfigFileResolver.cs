namespace Gateway.Host.Configuration;

/// <summary>
/// Finds files that a configuration refers to (profiles, model manifests, certificates, video
/// files): an absolute path as it is; a relative one in the configuration file's folder, then the
/// working directory, then the application's folder (where shipped profiles live).
/// Data the gateway writes (the store) is relative to the working directory instead, which the
/// service unit sets to its state directory.
/// </summary>
public sealed class ConfigFileResolver
{
    public ConfigFileResolver(string? configDirectory)
    {
        var dirs = new List<string>();
        foreach (var dir in new[] { configDirectory, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            if (!string.IsNullOrEmpty(dir))
            {
                var full = Path.GetFullPath(dir);
                if (!dirs.Contains(full, StringComparer.Ordinal))
                {
                    dirs.Add(full);
                }
            }
        }
        SearchDirectories = dirs;
    }

    public IReadOnlyList<string> SearchDirectories { get; }

    public string? ResolveInput(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : null;
        }
        return SearchDirectories.Select(dir => Path.Combine(dir, path)).FirstOrDefault(File.Exists);
    }
}
