namespace Gateway.Simulation.Video;

/// <summary>
/// The real photographs a <see cref="StreetSceneVideo"/> is cut from: Debian darknet's person.jpg
/// and scikit-image's coffee.png (a cup; tools/setup.d/40-litter-photo.sh puts it in <c>.cache/photos</c>).
/// </summary>
public sealed record StreetScenePhotos(string PersonJpg, string LitterPng)
{
    public const string DarknetPersonJpg = "/usr/share/darknet/data/person.jpg";

    /// <summary>
    /// person.jpg from darknet, coffee.png from <c>$GATEWAY_CACHE/photos</c> or the first <c>.cache/photos</c>
    /// found in <paramref name="searchFrom"/> or any folder above it (a checkout run from its root or its build output).
    /// </summary>
    /// <exception cref="FileNotFoundException">A photo is missing: the message names it and says to run tools/setup.sh.</exception>
    public static StreetScenePhotos Locate(params string[] searchFrom)
    {
        ArgumentNullException.ThrowIfNull(searchFrom);
        if (!File.Exists(DarknetPersonJpg))
        {
            throw new FileNotFoundException($"{DarknetPersonJpg} is missing (Debian package darknet); run tools/setup.sh", DarknetPersonJpg);
        }
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("GATEWAY_CACHE") is { Length: > 0 } cache)
        {
            candidates.Add(Path.Combine(cache, "photos", "coffee.png"));
        }
        foreach (var start in searchFrom)
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                candidates.Add(Path.Combine(dir.FullName, ".cache", "photos", "coffee.png"));
            }
        }
        var litter = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($".cache/photos/coffee.png is missing (looked in {string.Join(", ", candidates.Distinct().Take(4))}…); run tools/setup.sh (setup.d/40-litter-photo.sh)", "coffee.png");
        return new StreetScenePhotos(DarknetPersonJpg, litter);
    }
}
