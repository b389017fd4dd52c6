using Gateway.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Health;

/// <summary>Decides whether a request carries a valid web login session (implemented by the web server).</summary>
public interface IMetricsSessionCheck
{
    bool HasSession(HttpContext context);
}

public static class MetricsEndpoint
{
    /// <summary>
    /// <c>GET /metrics</c> (SPEC section 6) in the Prometheus text format. <c>web.metrics</c> =
    /// <c>"session"</c> (default): only with a login session, as the registered <see cref="IMetricsSessionCheck"/>
    /// decides — none registered means no one (401), never an open endpoint; <c>"localhost"</c>: without login,
    /// to loopback clients only (403 for any other). Needs <c>AddNodeHealth</c>.
    /// </summary>
    public static IEndpointConventionBuilder MapGatewayMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ServiceProvider;
        var metrics = services.GetRequiredService<GatewayMetrics>();
        var web = services.GetRequiredService<IOptions<WebOptions>>().Value;
        if (!MetricsAccess.TryParseMode(web.Metrics, out var mode))
        {
            throw new OptionsValidationException("web.metrics", typeof(WebOptions), [$"web.metrics: unknown mode '{web.Metrics}'"]);
        }
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsEndpoint).FullName!);
        return app.MapGet("/metrics", async context =>
        {
            var refusal = Refusal(mode, context);
            if (refusal != 0)
            {
                Log.MetricsRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", mode);
                context.Response.StatusCode = refusal;
                return;
            }
            context.Response.ContentType = GatewayMetrics.ContentType;
            context.Response.Headers.CacheControl = "no-store";
            await metrics.WriteAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>The status code that refuses the request, or 0 to serve it.</summary>
    internal static int Refusal(MetricsAccessMode mode, HttpContext context)
    {
        if (mode == MetricsAccessMode.Localhost)
        {
            return MetricsAccess.AllowsWithoutSession(mode, context.Connection.RemoteIpAddress) ? 0 : StatusCodes.Status403Forbidden;
        }
        var check = context.RequestServices.GetService<IMetricsSessionCheck>();
        return check is not null && check.HasSession(context) ? 0 : StatusCodes.Status401Unauthorized;
    }
}
