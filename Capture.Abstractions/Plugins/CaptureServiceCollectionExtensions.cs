using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Abstractions;

/// <summary>Registration helpers for capture plugins.</summary>
public static class CaptureServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TFactory"/> as the <see cref="ICaptureSourceFactory"/> keyed by
    /// <paramref name="captureName"/>, the way the host looks factories up.
    /// </summary>
    /// <typeparam name="TFactory">The factory type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="captureName">The capture name (<c>pcap</c>, <c>af-packet</c>, ...).</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddCaptureSourceFactory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFactory>(this IServiceCollection services, string captureName)
        where TFactory : class, ICaptureSourceFactory
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(captureName);
        services.AddKeyedSingleton<ICaptureSourceFactory, TFactory>(captureName);
        return services;
    }
}
