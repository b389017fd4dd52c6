namespace Gateway.Host.ConfigApply;

/// <summary>
/// The one way a running node's configuration changes, for MQTT <c>config/set</c> and the web
/// page's <c>PUT /api/config</c> alike: merge → restore redacted secrets → version check → validate
/// → atomic write → apply → health check → rollback on failure; every attempt audited and
/// published as <c>config.applied</c>. One change at a time.
/// </summary>
public interface IConfigApplier
{
    /// <summary>The version in force (what config/get and GET /api/config report).</summary>
    string CurrentVersion { get; }

    Task<ConfigApplyResult> ApplyAsync(ConfigChange change, ConfigActor actor, CancellationToken cancellationToken);

    /// <summary>
    /// The apply's own checks (merge, redacted secrets, version, schema and semantic rules, the live
    /// groups' validators) without writing, restarting or recording anything: for validating as
    /// the technician types.
    /// </summary>
    Task<ConfigValidation> ValidateAsync(ConfigChange change, CancellationToken cancellationToken);
}
