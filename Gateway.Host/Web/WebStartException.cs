namespace Gateway.Host.Web;

/// <summary>The web server cannot start with this configuration (e.g. an unreadable certificate): one line for the operator, exit 1.</summary>
public sealed class WebStartException(string message, Exception? inner = null) : Exception(message, inner);
