using Gateway.Host.Security;

namespace Gateway.Host.Web;

/// <summary>One logged-in browser. The session token itself is not kept: the table is keyed by its hash.</summary>
public sealed class WebSession(string user, UserRole role, string csrfToken, DateTimeOffset created)
{
    public string User { get; } = user;

    public UserRole Role { get; } = role;

    /// <summary>Sent back in <c>X-CSRF-Token</c> on every state change; the page gets it from the login reply and <c>GET /api/session</c>.</summary>
    public string CsrfToken { get; } = csrfToken;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset LastSeen { get; set; } = created;
}
