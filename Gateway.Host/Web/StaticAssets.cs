using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Gateway.Host.Web;

/// <summary>
/// The page's files (Web/Assets: one HTML shell, plain JS modules, CSS), embedded in the assembly
/// and held in memory: a few tens of KB. Revalidated by ETag so a technician always gets the
/// page of the running version.
/// </summary>
internal sealed class StaticAssets
{
    private const string Prefix = "web/";
    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    public StaticAssets()
    {
        var assembly = typeof(StaticAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            _assets[name[Prefix.Length..].Replace('\\', '/')] = new Asset(bytes, ContentTypeOf(name), $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }
    }

    public IEnumerable<string> Names => _assets.Keys;

    public Task Serve(HttpContext context, string name)
    {
        if (!_assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };
}
