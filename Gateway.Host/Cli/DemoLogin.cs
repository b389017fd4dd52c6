using System.Security.Cryptography;
using Gateway.Host.Configuration;
using Gateway.Host.Security;

namespace Gateway.Host.Cli;

/// <summary>
/// The demo's one-time technician login: each run sets a fresh random password on the account in the
/// demo's own users file, so the previous run's password stops working. The password exists only in
/// the console line that shows it (never in a log or the configuration); the file holds its PBKDF2 hash.
/// </summary>
internal static class DemoLogin
{
    public const string UserName = "demo";
    public const int PasswordLength = 20;

    // No 0/O, 1/l/I: read off a screen and typed by a technician. 57 symbols × 20 ≈ 116 bits.
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// Resets the login and prints the three lines a person needs: the page with the login, and the
    /// subscription that shows the city topics, as the gateway will read its configuration
    /// (environment overrides included) so they say where things really are.
    /// </summary>
    public static void Announce(string configPath, CliConsole console)
    {
        var loaded = GatewayConfigLoader.LoadFile(configPath);
        if (!loaded.IsValid)
        {
            return; // the run that follows reports the errors
        }
        var options = loaded.Options!;
        var web = options.Web.Urls.FirstOrDefault();
        console.Out.WriteLine($"demo: web page     {(web is null ? "none (web.urls is empty)" : $"{web.TrimEnd('/')}/  (the node's self-signed certificate)")}");
        try
        {
            console.Out.WriteLine($"demo: login        user {UserName}  password {Reset(options, TimeProvider.System)}  (this run only)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            console.Out.WriteLine($"demo: login        none: {e.Message}");
        }
        var broker = options.Mqtt.Brokers.Count > 0 ? new Uri(options.Mqtt.Brokers[0]) : new Uri("mqtt://127.0.0.1:1883");
        console.Out.WriteLine($"demo: city topics  mosquitto_sub -h {broker.Host} -p {broker.Port} -t '{options.Mqtt.TopicPrefix}/#' -v");
    }

    /// <summary>Creates or resets the account; returns the password to print once.</summary>
    public static string Reset(GatewayOptions options, TimeProvider time)
    {
        var password = RandomNumberGenerator.GetString(Alphabet, PasswordLength);
        new UserStore(UserCommand.UsersFile(options)).Upsert(UserName, UserRole.Technician, PasswordHasher.Hash(password), time.GetUtcNow());
        return password;
    }
}
