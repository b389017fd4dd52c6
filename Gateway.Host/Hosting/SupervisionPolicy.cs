namespace Gateway.Host.Hosting;

/// <summary>How the host restarts its failed components, and when it gives up on a critical one.</summary>
/// <param name="FirstBackoff">Ceiling of the wait after the first failure of a streak.</param>
/// <param name="MaxBackoff">Ceiling of the wait however long the streak.</param>
/// <param name="HealthyAfter">A run that lasts this long ends the failure streak (the back-off starts afresh).</param>
/// <param name="CriticalFailureLimit">
/// The failure in a row at which a critical component (one the node is useless without) stops the
/// process with <see cref="ExitCode"/>, so that systemd starts it afresh (Restart=on-failure).
/// </param>
internal sealed record SupervisionPolicy(TimeSpan FirstBackoff, TimeSpan MaxBackoff, TimeSpan HealthyAfter, int CriticalFailureLimit)
{
    /// <summary>EX_SOFTWARE (sysexits.h): an internal error, not a configuration or usage problem.</summary>
    public const int ExitCode = 70;

    public static SupervisionPolicy Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 5);

    /// <summary>
    /// Maps draws from [0, 1) to [0.5, 1): a restart waits between half and all of its ceiling
    /// ("equal jitter"). The floor keeps a component that fails at once from spinning; the random
    /// half keeps poles felled by the same cause (a platform push, a bad firmware) out of step.
    /// </summary>
    public static Func<double> UpperHalf(Func<double> uniform) => () => 0.5 + (0.5 * uniform());
}
