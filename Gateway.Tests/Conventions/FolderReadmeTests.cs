using Gateway.Tests.Support;

namespace Gateway.Tests.Conventions;

/// <summary>Every source folder of the product says what it holds, in a README.md beside its code.</summary>
public sealed class FolderReadmeTests
{
    private static readonly string[] Projects =
        ["Gateway.Contracts", "Gateway.Drivers", "Gateway.Host", "Gateway.Inference", "Gateway.Simulation", "Gateway.Sync"];

    [Fact]
    public void Every_product_folder_holding_code_has_a_readme()
    {
        var folders = Projects.SelectMany(p => FoldersWithCode(Repo.PathOf(p))).ToList();
        Assert.True(folders.Count > Projects.Length, "no source folders found below the projects");
        var missing = folders.Where(f => !File.Exists(Path.Combine(f, "README.md")))
            .Select(f => Path.GetRelativePath(Repo.Root, f)).ToList();
        Assert.True(missing.Count == 0, "folders without a README.md: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> FoldersWithCode(string folder)
    {
        if (Directory.EnumerateFiles(folder, "*.cs").Any())
        {
            yield return folder;
        }
        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            // Build output and the files the build generates are not source folders.
            if (Path.GetFileName(child) is "bin" or "obj")
            {
                continue;
            }
            foreach (var found in FoldersWithCode(child))
            {
                yield return found;
            }
        }
    }
}
