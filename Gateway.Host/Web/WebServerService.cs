using System.Net;
using System.Security.Authentication;
using Gateway.Host.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

/// <summary>
/// The technician's web server: a Kestrel <see cref="WebApplication"/> owned by this hosted
/// service inside the gateway's generic host. It is built from an empty builder (no
/// appsettings, no ASPNETCORE_* variables: one configuration file), logs through the gateway's
/// logger factory, and reaches the gateway's components through <see cref="WebApi"/>, which is
/// given them here — so the gateway's composition stays as it is and the web server is one more
/// supervised component: a port that cannot be bound is logged, shown in <c>status</c> and
/// retried, while the meters and the uplink go on.
/// </summary>
internal sealed class WebServerService(WebApi api, WebOptions options, NodeCertificate certificate, ILoggerFactory loggerFactory) : BackgroundService
{
    /// <summary>Largest request body accepted: a whole configuration file with room to spare.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    private readonly ILogger _logger = loggerFactory.CreateLogger<WebServerService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "edge-gateway" });
        builder.Services.AddSingleton(loggerFactory);
        // The gateway's host owns signals and shutdown: the web application must not install a
        // second console lifetime (its own SIGTERM/Ctrl+C handlers and start-up banner).
        builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();
        builder.Services.AddRoutingCore();
        api.AddServices(builder.Services);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(Configure);
        await using var app = builder.Build();
        api.Map(app);
        await app.StartAsync(stoppingToken).ConfigureAwait(false);
        Log.Listening(_logger, string.Join(", ", options.Urls), NeedsCertificate(options) ? NodeCertificate.Fingerprint(certificate.Get()) : "(http only)");
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(deadline.Token).ConfigureAwait(false);
    }

    public static bool NeedsCertificate(WebOptions options) =>
        options.Urls.Any(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

    private void Configure(KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        kestrel.Limits.MaxConcurrentConnections = 64;
        foreach (var url in options.Urls)
        {
            var uri = new Uri(url);
            var https = uri.Scheme == Uri.UriSchemeHttps;
            void Listen(ListenOptions listen)
            {
                if (https)
                {
                    listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate.Get(),
                        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    });
                }
            }
            var host = uri.Host.Trim('[', ']');
            if (IPAddress.TryParse(host, out var address))
            {
                kestrel.Listen(address, uri.Port, Listen);
            }
            else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(uri.Port, Listen);
            }
            else
            {
                Log.HostNameListensEverywhere(_logger, host, url);
                kestrel.ListenAnyIP(uri.Port, Listen);
            }
        }
    }

    /// <summary>Starts and stops when <see cref="WebServerService"/> says so, nothing else.</summary>
    private sealed class OwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
