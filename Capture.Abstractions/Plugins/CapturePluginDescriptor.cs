namespace Capture.Abstractions;

/// <summary>
/// Identifies a capture plugin: its capture name (<c>af-packet</c>, <c>netronome</c>, <c>pcap</c>, ...),
/// its own version, the contract version it was built against and what it can do.
/// </summary>
/// <param name="Name">Capture name, as operators select it (<c>--capture-plugin NAME</c>) and as its services are keyed.</param>
/// <param name="PluginVersion">The plugin's own version.</param>
/// <param name="ContractVersion">
/// The contract version the plugin was built against. Write it as
/// <c>new Version(CaptureContract.Major, CaptureContract.Minor)</c> in plugin code so the compiler bakes in the constants.
/// </param>
/// <param name="Capabilities">What the plugin can do.</param>
/// <param name="Description">One line for <c>--help</c> and logs.</param>
public sealed record CapturePluginDescriptor(
    string Name,
    Version PluginVersion,
    Version ContractVersion,
    CaptureCapabilities Capabilities,
    string Description);
