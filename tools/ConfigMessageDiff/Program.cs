using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Nodes;

// Compares the configuration errors of two builds of edge-gateway on thousands of broken copies of the
// shipped configurations and profiles (each value replaced by wrong ones, each key removed, unknown keys
// added). Written to judge a validator change; see docs/decisions.md.
//   dotnet run -c Release --project tools/ConfigMessageDiff -- OLD_BIN_DIR NEW_BIN_DIR [--time ROUNDS]
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ConfigMessageDiff OLD_BIN_DIR NEW_BIN_DIR [--time ROUNDS]");
    return 2;
}
var repo = FindRepo();
var configs = Directory.GetFiles(Path.Combine(repo, "config", "examples"), "*.json").Append(Path.Combine(repo, "config", "demo.json")).Order(StringComparer.Ordinal).ToList();
var profiles = Directory.GetFiles(Path.Combine(repo, "profiles"), "*.json").Order(StringComparer.Ordinal).ToList();
var (oldBuild, newBuild) = (new Build(args[0]), new Build(args[1]));

if (args.Length == 4 && args[2] == "--time")
{
    var rounds = int.Parse(args[3], CultureInfo.InvariantCulture);
    foreach (var file in configs)
    {
        var text = File.ReadAllText(file);
        var dir = Path.GetDirectoryName(file)!;
        double Time(Build build)
        {
            build.Load(text, dir);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < rounds; i++)
            {
                build.Load(text, dir);
            }
            return clock.Elapsed.TotalMilliseconds / rounds;
        }
        // Alternate and keep the faster of two runs each: the machine is shared.
        var (o1, n1, o2, n2) = (Time(oldBuild), Time(newBuild), Time(oldBuild), Time(newBuild));
        var (o, n) = (Math.Min(o1, o2), Math.Min(n1, n2));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file),-20} load+validate: old {o,7:F3} ms  new {n,7:F3} ms  new/old {n / o,5:F2}x"));
    }
    return 0;
}

JsonNode?[] wrongValues =
[
    "x", -1, 0, 1.5, 100_000_000, true, null, new JsonArray(), new JsonArray(1, 1), new JsonObject(), "",
    new string('a', 300), string.Concat(Enumerable.Repeat("\U0001F600", 40)), "tcp://h:1",
];
var (documents, identical, duplicatesOnly) = (0, 0, 0);
var differences = new List<string>();
foreach (var file in configs.Concat(profiles))
{
    var isProfile = profiles.Contains(file);
    var dir = Path.GetDirectoryName(file)!;
    var original = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
    var slotCount = Slots(original).Count();
    for (var n = 0; n < slotCount; n++)
    {
        foreach (var change in Enumerable.Range(-2, wrongValues.Length + 2))
        {
            var document = original.DeepClone();
            var (parent, key, index) = Slots(document).ElementAt(n);
            string what;
            switch (change, parent)
            {
                case (-2, JsonObject o):
                    o.Remove(key!);
                    what = $"remove {key}";
                    break;
                case (-2, JsonArray a):
                    a.RemoveAt(index);
                    what = $"remove [{index}]";
                    break;
                case (-1, JsonObject o):
                    o["zz" + key] = 1;
                    what = $"add zz{key}";
                    break;
                case (-1, _):
                    continue;
                default:
                    var value = wrongValues[change]?.DeepClone();
                    if (parent is JsonObject po)
                    {
                        po[key!] = value;
                    }
                    else
                    {
                        ((JsonArray)parent)[index] = value;
                    }
                    what = $"set {key ?? index.ToString(CultureInfo.InvariantCulture)} = {value?.ToJsonString() ?? "null"}";
                    break;
            }
            documents++;
            var json = document.ToJsonString();
            var before = isProfile ? oldBuild.ValidateProfile(json) : oldBuild.Load(json, dir);
            var after = isProfile ? newBuild.ValidateProfile(json) : newBuild.Load(json, dir);
            if (before.SequenceEqual(after))
            {
                identical++;
            }
            else if (before.Distinct().SequenceEqual(after.Distinct()))
            {
                duplicatesOnly++;
            }
            else
            {
                differences.Add($"{Path.GetFileName(file)} #{n} {what}\n  old: {string.Join(" | ", before)}\n  new: {string.Join(" | ", after)}");
            }
        }
    }
}
Console.WriteLine($"{documents} broken documents: {identical} identical error lists, {duplicatesOnly} differ only in repeated lines, {differences.Count} differ");
differences.Take(40).ToList().ForEach(Console.WriteLine);
return differences.Count == 0 ? 0 : 1;

static IEnumerable<(JsonNode Parent, string? Key, int Index)> Slots(JsonNode node)
{
    if (node is JsonObject o)
    {
        foreach (var (key, child) in o.ToList())
        {
            yield return (o, key, -1);
            foreach (var inner in child is null ? [] : Slots(child))
            {
                yield return inner;
            }
        }
    }
    else if (node is JsonArray a)
    {
        for (var i = 0; i < a.Count; i++)
        {
            yield return (a, null, i);
            foreach (var inner in a[i] is { } child ? Slots(child) : [])
            {
                yield return inner;
            }
        }
    }
}

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EdgeGateway.sln")))
    {
        dir = dir.Parent;
    }
    return dir?.FullName ?? throw new InvalidOperationException("run inside the repository");
}

/// <summary>One build of edge-gateway, loaded in its own context so that two can be compared in one process.</summary>
internal sealed class Build
{
    private readonly MethodInfo _loadText;
    private readonly MethodInfo _validate;
    private readonly object _validator;

    public Build(string binDirectory)
    {
        var main = Path.GetFullPath(Path.Combine(binDirectory, "edge-gateway.dll"));
        var assembly = new BuildContext(main).LoadFromAssemblyPath(main);
        _loadText = assembly.GetType("Gateway.Host.Configuration.GatewayConfigLoader", throwOnError: true)!.GetMethod("LoadText")!;
        var validator = assembly.GetType("Gateway.Host.Configuration.JsonSchemaValidator", throwOnError: true)!;
        _validator = validator.GetMethod("FromEmbeddedGatewaySchema")!.Invoke(null, null)!;
        _validate = validator.GetMethod("Validate")!;
    }

    public List<string> Load(string json, string directory)
    {
        var result = _loadText.Invoke(null, [json, directory, Array.Empty<KeyValuePair<string, string?>>()])!;
        return Strings((IEnumerable)result.GetType().GetProperty("Errors")!.GetValue(result)!);
    }

    public List<string> ValidateProfile(string json) =>
        Strings((IEnumerable)_validate.Invoke(_validator, [JsonNode.Parse(json), "#/$defs/profile", "devices[1].profile(p.json)"])!);

    private static List<string> Strings(IEnumerable items) => items.Cast<object>().Select(e => e.ToString()!).ToList();

    private sealed class BuildContext(string main) : AssemblyLoadContext
    {
        private readonly AssemblyDependencyResolver _resolver = new(main);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
