using System.Text.Json.Nodes;
using Gateway.Host.Configuration;

namespace Gateway.Host.ConfigApply;

/// <summary>One configuration in force: the file as written, its version, and the effective document (with environment overrides) and options.</summary>
/// <param name="FileDocument">The file's JSON: what merge patches apply to and secrets are restored from.</param>
/// <param name="EffectiveDocument">The file with environment overrides applied, secrets included: redact before showing it.</param>
public sealed record ConfigSnapshot(string Version, JsonObject FileDocument, JsonObject EffectiveDocument, GatewayOptions Options);

/// <summary>
/// The configuration this process runs now. It starts as what the host was built with and changes
/// when a change is applied live; <c>config/get</c> reads it here.
/// </summary>
public sealed class RunningConfiguration
{
    private ConfigSnapshot _current;

    public RunningConfiguration(string configPath, ConfigSnapshot initial)
    {
        ConfigPath = Path.GetFullPath(configPath);
        _current = initial;
    }

    public string ConfigPath { get; }

    public ConfigSnapshot Current => Volatile.Read(ref _current);

    internal void Set(ConfigSnapshot snapshot) => Volatile.Write(ref _current, snapshot);

    /// <summary>The configuration of a host being built: the file as it is on disk now, and what was loaded from it.</summary>
    public static RunningConfiguration FromFile(string configPath, JsonObject effectiveDocument, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(effectiveDocument);
        byte[] bytes;
        JsonObject file;
        try
        {
            bytes = File.ReadAllBytes(configPath);
            file = JsonNode.Parse(bytes, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip }) as JsonObject ?? effectiveDocument;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            // Read once at load already; if it is gone now there is nothing better to compare with.
            bytes = [];
            file = effectiveDocument;
        }
        return new RunningConfiguration(configPath, new ConfigSnapshot(ConfigVersion.Of(bytes), file, effectiveDocument.DeepClone().AsObject(), options));
    }
}
