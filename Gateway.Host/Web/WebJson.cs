using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Gateway.Host.Web;

/// <summary>JSON in and out of the API: every answer, error or not, is a JSON object, never a stack trace.</summary>
internal static class WebJson
{
    private static readonly JsonSerializerOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task Write(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body?.ToJsonString(Options) ?? "null", context.RequestAborted);
    }

    /// <summary>
    /// An error: what went wrong (English, for scripts and logs), a stable <paramref name="code"/> the
    /// page translates (Assets/i18n.js <c>code.*</c>), and, where it helps, what to do next.
    /// </summary>
    public static Task Error(HttpContext context, int status, string error, string? hint = null, JsonObject? extra = null, string? code = null)
    {
        var body = extra ?? [];
        body["error"] = error;
        body["code"] = code ?? CodeOf(status);
        if (hint is not null)
        {
            body["hint"] = hint;
        }
        return Write(context, status, body);
    }

    /// <summary>The code of an error that has no more specific one: by its HTTP status.</summary>
    private static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "badRequest",
        StatusCodes.Status401Unauthorized => "notLoggedIn",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "notFound",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status415UnsupportedMediaType => "notJson",
        StatusCodes.Status429TooManyRequests => "locked",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        _ => "internal",
    };

    /// <summary>The request's JSON object body, or null after answering 415/400 itself.</summary>
    public static async Task<JsonObject?> ReadObject(HttpContext context)
    {
        if (context.Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await Error(context, StatusCodes.Status415UnsupportedMediaType, "the body must be JSON (Content-Type: application/json)").ConfigureAwait(false);
            return null;
        }
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            if (node is JsonObject obj)
            {
                return obj;
            }
            await Error(context, StatusCodes.Status400BadRequest, "the body must be a JSON object", code: "notJson").ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, $"the body is not valid JSON: {e.Message}", code: "notJson").ConfigureAwait(false);
        }
        return null;
    }

    public static JsonNode? Value(ReadingValue value) => value.Kind switch
    {
        ReadingValueKind.Boolean => value.AsBoolean(),
        ReadingValueKind.Int64 => value.AsInt64(),
        ReadingValueKind.UInt64 => value.AsUInt64(),
        ReadingValueKind.Double => value.AsDouble(),
        _ => null,
    };

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
}
