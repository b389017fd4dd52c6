using Gateway.Host.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

/// <summary>
/// What every request passes before it reaches an endpoint: security headers, one JSON answer
/// instead of a stack trace, and for <c>/api/</c> — except login — a live session (401), the
/// session's CSRF token in <c>X-CSRF-Token</c> on every POST/PUT/PATCH/DELETE (403), and the
/// technician role for anything that changes the node (403 for a viewer).
/// </summary>
internal sealed class WebSecurity(SessionTable sessions, ILogger logger)
{
    public const string CsrfHeader = "X-CSRF-Token";
    public const string SecureCookieName = "__Host-gw-session";
    public const string PlainCookieName = "gw-session";
    private const string SessionItem = "gw.session";

    /// <summary>No inline script or style, nothing from elsewhere, never framed (clickjacking), no referrer leaves the node.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000";
        }
        try
        {
            if (await AuthorizeAsync(context).ConfigureAwait(false))
            {
                await next(context).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the browser went away
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            Log.RequestFailed(logger, context.Request.Method, context.Request.Path, e);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await WebJson.Error(context, StatusCodes.Status500InternalServerError, "the node could not answer this request", "try again; if it persists, look at the logs page or the node's journal", code: "internal").ConfigureAwait(false);
            }
        }
    }

    public static WebSession Session(HttpContext context) => (WebSession)context.Items[SessionItem]!;

    public static string CookieName(HttpContext context) => context.Request.IsHttps ? SecureCookieName : PlainCookieName;

    public static string Client(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private async Task<bool> AuthorizeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (!path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api/login")
        {
            return true;
        }
        var session = sessions.Find(context.Request.Cookies[CookieName(context)]);
        if (session is null)
        {
            await WebJson.Error(context, StatusCodes.Status401Unauthorized, "not logged in, or the session has expired", "log in again", code: "notLoggedIn").ConfigureAwait(false);
            return false;
        }
        context.Items[SessionItem] = session;
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return true;
        }
        if (!SessionTable.CsrfMatches(session, context.Request.Headers[CsrfHeader].FirstOrDefault()))
        {
            Log.Refused(logger, method, path, session.User, "missing or wrong CSRF token");
            await WebJson.Error(context, StatusCodes.Status403Forbidden, "missing or wrong CSRF token", "reload the page and try again", code: "csrf").ConfigureAwait(false);
            return false;
        }
        if (session.Role != UserRole.Technician && !ViewerMay(path))
        {
            Log.Refused(logger, method, path, session.User, "viewer role");
            await WebJson.Error(context, StatusCodes.Status403Forbidden, "a viewer account cannot change anything on this node", "log in with a technician account", code: "viewerReadOnly").ConfigureAwait(false);
            return false;
        }
        return true;
    }

    /// <summary>POSTs that change nothing on the node: logging out, and "read now" (one read of a device, not stored).</summary>
    private static bool ViewerMay(string path) =>
        path == "/api/logout"
        || (path.StartsWith("/api/devices/", StringComparison.Ordinal) && path.EndsWith("/read", StringComparison.Ordinal));
}
