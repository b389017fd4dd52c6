using Gateway.Tests.Support;
using Microsoft.Playwright;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// One headless Debian chromium for the test run, driven by Playwright (ENVIRONMENT.md "Browser
/// tests"): never a downloaded browser; fails loudly when /usr/bin/chromium is missing.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: run tools/setup.sh (Debian package chromium)");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser profile (no cookies, no localStorage) speaking <paramref name="locale"/>.</summary>
    public Task<IBrowserContext> NewContextAsync(string locale = "en-US") => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        IgnoreHTTPSErrors = true, // the node's self-signed certificate; its pin is checked by the API tests
        Locale = locale,
        ViewportSize = new ViewportSize { Width = 1100, Height = 760 },
    });

    /// <summary>
    /// Screenshots go to docs/screenshots/ when WEB_SCREENSHOTS_TO_DOCS=1 (how the committed ones were
    /// made; not GATEWAY_…, which would be a configuration override), else beside the test run, so an ordinary run leaves the checkout clean.
    /// </summary>
    public static string ScreenshotPath(string name)
    {
        var directory = Environment.GetEnvironmentVariable("WEB_SCREENSHOTS_TO_DOCS") == "1"
            ? Repo.PathOf("docs", "screenshots")
            : Path.Combine(Path.GetTempPath(), "gw-screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name + ".png");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}
