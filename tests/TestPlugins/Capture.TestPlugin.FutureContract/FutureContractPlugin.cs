using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.TestPlugin.FutureContract;

/// <summary>Built against contract 2.0: <see cref="CaptureContract.Major"/> is 2 here.</summary>
public sealed class FutureContractPlugin : ICapturePlugin
{
    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new(
        "future-contract",
        new Version(1, 0),
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Live,
        "Built against a future contract (test plugin)");

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context) =>
        throw new InvalidOperationException("a plugin built against a newer contract must never be activated");
}
