using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

internal static class SupervisionServiceCollectionExtensions
{
    /// <summary>
    /// Puts every hosted service registered so far under a <see cref="SupervisedComponent"/>, in
    /// place (start and stop order unchanged). The originals stay registered, keyed, so the
    /// container still creates and disposes them as before; the projects that register them
    /// (Drivers, Sync) know nothing of this. <paramref name="critical"/> names the components
    /// (<see cref="SupervisedComponent.NameOf"/>) whose repeated failure ends the process. The
    /// wrapper is a plain <see cref="IHostedService"/>: a component that needed the
    /// <see cref="IHostedLifecycleService"/> steps (none does today) would have to be passed them.
    /// </summary>
    public static IServiceCollection SuperviseHostedServices(this IServiceCollection services, IReadOnlySet<string> critical,
        SupervisionPolicy? policy = null, Func<double>? uniform = null)
    {
        // TryAdd: a live component group (LiveComponentGroup) hands in the host's instance.
        services.TryAddSingleton<ComponentSupervision>();
        for (var i = 0; i < services.Count; i++)
        {
            var original = services[i];
            if (original.ServiceType != typeof(IHostedService) || original.IsKeyedService)
            {
                continue;
            }
            var key = new object();
            services.Add(Keyed(original, key));
            services[i] = ServiceDescriptor.Singleton<IHostedService>(sp =>
            {
                var inner = sp.GetRequiredKeyedService<IHostedService>(key);
                return new SupervisedComponent(inner, critical.Contains(SupervisedComponent.NameOf(inner.GetType())),
                    sp.GetRequiredService<ComponentSupervision>(), policy ?? SupervisionPolicy.Default, uniform ?? Random.Shared.NextDouble,
                    sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IHostApplicationLifetime>(),
                    sp.GetRequiredService<ILogger<SupervisedComponent>>());
            });
        }
        return services;
    }

    private static ServiceDescriptor Keyed(ServiceDescriptor original, object key) => original switch
    {
        { ImplementationInstance: { } instance } => new ServiceDescriptor(typeof(IHostedService), key, instance),
        { ImplementationFactory: { } factory } => new ServiceDescriptor(typeof(IHostedService), key, (sp, _) => factory(sp), original.Lifetime),
        _ => new ServiceDescriptor(typeof(IHostedService), key, original.ImplementationType!, original.Lifetime),
    };
}
