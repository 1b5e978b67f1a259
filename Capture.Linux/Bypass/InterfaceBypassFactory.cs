using Capture.Abstractions;
using Capture.Linux.Configuration;
using Microsoft.Extensions.Logging;

namespace Capture.Linux.Bypass;

/// <summary>Builds the kernel bypass of an interface configured with <c>bypass: yes</c>.</summary>
/// <param name="options">The interface's options.</param>
/// <param name="loggerFactory">Logging.</param>
/// <returns>The bypass, attached and ready.</returns>
public delegate IInterfaceBypass InterfaceBypassFactory(LiveInterfaceOptions options, ILoggerFactory loggerFactory);
