using Microsoft.Extensions.DependencyInjection;

namespace Capture.Abstractions;

/// <summary>
/// The entry point of a capture plugin assembly. The host creates it with a public parameterless
/// constructor, checks versions both ways, then lets it register its services.
/// </summary>
public interface ICapturePlugin
{
    /// <summary>Who the plugin is and what it can do.</summary>
    CapturePluginDescriptor Descriptor { get; }

    /// <summary>
    /// The plugin's side of the version handshake: whether it can run on a host that offers
    /// <paramref name="hostContractVersion"/>. The default applies <see cref="CaptureContract.IsCompatible"/>
    /// with the version in <see cref="Descriptor"/>.
    /// </summary>
    /// <param name="hostContractVersion">The contract version the host offers.</param>
    /// <param name="reason">Why not, when the result is false.</param>
    /// <returns>True when the plugin accepts the host.</returns>
    bool AcceptsHost(Version hostContractVersion, out string? reason) =>
        CaptureContract.IsCompatible(hostContractVersion, Descriptor.ContractVersion, out reason);

    /// <summary>
    /// The configuration sections this plugin reads (its own, such as <c>af-packet</c>), with their
    /// keys. The host reads them before binding the configuration: it checks every key of those
    /// sections against them (an unknown key warns, a bad value fails naming what is allowed) and
    /// documents them. A plugin binds its section in <see cref="ConfigureServices"/>, typically as
    /// <c>IOptions&lt;T&gt;</c> its factory receives through its constructor. Default: none.
    /// </summary>
    IReadOnlyList<ConfigKey> ConfigurationSections => [];

    /// <summary>
    /// Registers the plugin's services. A capture plugin registers at least one
    /// <see cref="ICaptureSourceFactory"/> keyed by <see cref="CapturePluginDescriptor.Name"/>
    /// (see <see cref="CaptureServiceCollectionExtensions.AddCaptureSourceFactory{TFactory}"/>).
    /// </summary>
    /// <param name="services">The host's service collection.</param>
    /// <param name="context">What the host tells the plugin.</param>
    void ConfigureServices(IServiceCollection services, CapturePluginContext context);
}
