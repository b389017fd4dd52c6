using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Sync.Time;

public static class TimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the time sources of the <c>time</c> section that are switched on: the kernel's NTP
    /// state (<c>kernelSync</c>) and our own NTP queries (<c>ntpServers</c>). Both report to the
    /// store's <c>IClockSync</c> (register the store too). GNSS time comes from the pole drivers.
    /// </summary>
    public static IServiceCollection AddTimeSources(this IServiceCollection services, TimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<TimeOptions>().Configure(o =>
        {
            o.NtpServers = [.. options.NtpServers];
            o.NtpPollSeconds = options.NtpPollSeconds;
            o.KernelSync = options.KernelSync;
        }).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TimeOptions>, TimeOptionsValidator>());
        if (options.KernelSync)
        {
            services.TryAddSingleton<IKernelClock, LinuxKernelClock>();
            services.AddHostedService<KernelClockWatcher>();
        }
        if (options.NtpServers.Count > 0)
        {
            services.AddHostedService<NtpTimeSource>();
        }
        return services;
    }
}
