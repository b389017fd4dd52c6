namespace Gateway.Host.ConfigApply;

public enum ConfigApplyOutcome
{
    /// <summary>Written and in force.</summary>
    Applied,

    /// <summary>Invalid: nothing written, nothing changed.</summary>
    Rejected,

    /// <summary>The base version was not the running one: nothing written, nothing changed.</summary>
    Conflict,

    /// <summary>Written and applied, then failed its health check: the previous file is back and running.</summary>
    RolledBack,
}
